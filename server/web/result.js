// The result of screening one enterprise, as a person reads it: per program the outcome, the
// reasons criterion by criterion, the missing information, score, group and benefit; the decision
// id and rule-set hash to cite it later. Texts come from the decision (reason.th / reason.en), so
// a language switch re-renders without asking the service again.

import { h } from './dom.js';
import { t, pick, fieldLabel, formatDate, formatNumber, lang } from './i18n.js';

const OUTCOME_ICON = { eligible: '✓', ineligible: '✗', needs_information: '?', error: '!' };
const CRITERION_ICON = { pass: '✓', fail: '✗', needs_information: '?' };

// Builds the result element. `data` is the 200 body of POST /v1/screen; `programs` the list of
// GET /v1/programs (names, group labels), `provinces` of GET /v1/provinces.
export function renderResult(data, { programs = [], provinces = [], actions = null, matching = null } = {}) {
  const programById = Object.fromEntries(programs.map((p) => [p.id, p]));
  const decisions = Array.isArray(data.decisions) ? data.decisions : [];
  const eligible = decisions.filter((d) => d.outcome === 'eligible').length;
  const province = provinces.find((p) => p.code === data.province);

  const meta = h('dl', { class: 'result-meta' },
    h('div', null, h('dt', null, t('res.enterprise')),
      h('dd', null, h('strong', null, data.name || ''), ' ', h('span', { class: 'muted' }, `(${data.id ?? ''})`),
        province ? ` · ${pick([province.name_th, province.name_en])}` : null)),
    data.decision_id ? h('div', null, h('dt', null, t('res.decision_id')),
      h('dd', null, h('code', { class: 'decision-id', id: 'decision-id' }, data.decision_id),
        h('span', { class: 'hint-inline' }, ` — ${t('res.decision_id_hint')}`))) : null,
    h('div', null, h('dt', null, t('res.as_of')), h('dd', null, formatDate(data.as_of))),
    h('div', null, h('dt', null, t('res.rule_set')),
      h('dd', null, h('code', { class: 'rule-set', title: data.rule_set }, data.rule_set || ''))),
    h('div', { class: 'print-only' }, h('dt', null, t('res.printed')),
      h('dd', null, new Date().toLocaleString(lang() === 'en' ? 'en-GB' : 'th-TH'))));

  const overview = h('p', { class: 'result-overview', id: 'result-overview' },
    t('res.overview', { n: eligible, m: decisions.length }));

  const cards = decisions.map((d) => programCard(d, programById[d.program]));

  const parts = [meta, overview, actions, h('div', { class: 'program-results' }, cards)];
  if (matching) parts.push(matching);
  return h('div', { class: 'result' }, parts);
}

function programCard(d, program) {
  const outcome = d.outcome || 'error';
  const title = program ? pick(program.name) : d.program;
  const headingId = `result-${d.program}`;
  const facts = [];
  if (d.score != null) {
    facts.push(h('div', null, h('dt', null, t('res.score')), h('dd', { class: 'score' }, formatNumber(d.score))));
  }
  if (d.group != null) {
    const group = program?.groups?.find((g) => g.id === d.group);
    facts.push(h('div', null, h('dt', null, t('res.group')),
      h('dd', { class: 'group-label' }, group ? pick(group.label) : d.group)));
  }
  const benefitText = benefitOf(d);
  if (benefitText) {
    facts.push(h('div', null, h('dt', null, t('res.benefit')), h('dd', { class: 'benefit' }, benefitText)));
  }
  const missing = Array.isArray(d.missing) && d.missing.length
    ? h('div', { class: 'missing' },
      h('h4', null, t('res.missing')),
      h('ul', null, d.missing.map((f) => h('li', null, fieldLabel(f), h('span', { class: 'muted' }, ` (${f})`)))))
    : null;
  const criteria = Array.isArray(d.criteria) && d.criteria.length
    ? h('div', { class: 'criteria' },
      h('h4', null, t('res.reasons')),
      h('ul', { class: 'criteria-list' }, d.criteria.map((c) => h('li', { class: `criterion criterion-${c.result}` },
        h('span', { class: 'crit-badge', 'aria-hidden': 'true' }, CRITERION_ICON[c.result] || '•'),
        h('span', { class: 'crit-status' }, t(`crit.${c.result}`)),
        h('span', { class: 'visually-hidden' }, ': '),
        h('span', { class: 'crit-reason' }, pick(c.reason) || c.id)))))
    : null;
  const errorText = outcome === 'error' && d.error ? h('p', { class: 'rule-error' }, errorOf(d)) : null;
  return h('article', { class: `program-result outcome-${outcome}`, 'aria-labelledby': headingId, 'data-program': d.program },
    h('header', null,
      h('h3', { id: headingId }, title),
      h('p', { class: 'program-id muted' }, `${d.program}${d.version ? ` · ${t('res.version', { v: d.version })}` : ''}`),
      h('p', { class: `outcome outcome-badge-${outcome}` },
        h('span', { 'aria-hidden': 'true' }, `${OUTCOME_ICON[outcome] || ''} `),
        h('span', { class: 'outcome-text' }, t(`outcome.${outcome}`)))),
    facts.length ? h('dl', { class: 'facts' }, facts) : null,
    errorText, missing, criteria);
}

// The benefit text of an eligible decision: `benefit.text {th, en}` (docs/cli.md), or '' if none.
export function benefitOf(d) {
  const b = d.benefit;
  if (!b || typeof b !== 'object') return '';
  return pick(b.text && typeof b.text === 'object' ? b.text : b);
}

// The rule error of a decision `error`: `{code, message}` (the message names script and line).
export function errorOf(d) {
  const e = d.error;
  if (e == null) return '';
  if (typeof e !== 'object') return String(e);
  return [e.code, e.message].filter(Boolean).join(': ');
}

// Renders the answers of the matching endpoints (POST /v1/match/mentors and /channels, shapes in
// docs/openapi.json) for the enterprise shown: the suggested mentor with the score breakdown and
// reason, the alternatives; the channels it is ready for, and for the others what is missing.
// Texts come in both languages in the answer, so a language switch re-renders without a call.
export function renderMatching(results) {
  const sections = results.map(({ titleKey, kind, data, error }) => {
    let body;
    if (error) {
      body = h('p', { class: 'notice' }, t('res.matching_error', { detail: error }));
    } else if (kind === 'mentors') {
      body = renderMentors(data);
    } else if (kind === 'channels') {
      body = renderChannels(data);
    } else {
      body = h('p', { class: 'muted' }, t('res.nothing'));
    }
    return h('section', { class: `matching-part matching-${kind || 'other'}` }, h('h3', null, t(titleKey)), body);
  });
  return h('section', { class: 'matching', 'aria-labelledby': 'matching-heading' },
    h('h2', { id: 'matching-heading' }, t('res.matching')), sections);
}

function mentorLabel(name, id) {
  return name ? `${name} (${id})` : String(id || '');
}

function renderMentors(data) {
  const match = Array.isArray(data?.matches) ? data.matches[0] : null;
  if (!match) {
    const out = (data?.screened_out || [])[0];
    return h('p', { class: 'muted' }, out ? t('res.mentor_not_star') : t('res.nothing'));
  }
  const parts = [];
  if (match.mentor_id) {
    parts.push(h('p', { class: 'mentor-chosen' },
      h('strong', null, mentorLabel(match.mentor_name, match.mentor_id)),
      ` · ${t('res.fit_score', { score: formatNumber(match.score) })}`));
    const breakdown = (match.parts || []).map((p) => h('li', null,
      `${pick(p) || p.id}: `, h('strong', null, formatNumber(p.score))));
    if (breakdown.length) {
      parts.push(h('p', { class: 'label' }, t('res.fit_parts')), h('ul', { class: 'fit-parts' }, breakdown));
    }
  } else {
    parts.push(h('p', { class: 'mentor-none' }, h('strong', null, t('res.no_mentor'))));
  }
  const reason = pick(match.reason);
  if (reason) parts.push(h('p', { class: 'mentor-reason' }, reason));
  if (!match.mentor_id && Array.isArray(match.excluded) && match.excluded.length) {
    parts.push(h('ul', { class: 'mentor-excluded' }, match.excluded.map((x) => h('li', null,
      `${pick(x) || x.constraint} (${t('res.mentors_n', { n: formatNumber(x.mentors) })})`))));
  }
  const alts = (match.alternatives || []).filter((a) => a.mentor_id !== match.mentor_id);
  if (alts.length) {
    parts.push(h('p', { class: 'label' }, t('res.alternatives')),
      h('ul', { class: 'mentor-alternatives' }, alts.map((a) => h('li', null,
        mentorLabel(a.mentor_name, a.mentor_id), ` · ${t('res.fit_score', { score: formatNumber(a.score) })}`,
        a.full ? ` · ${t('res.mentor_full')}` : ''))));
  }
  return h('div', null, parts);
}

function renderChannels(data) {
  const entry = Array.isArray(data?.enterprises) ? data.enterprises[0] : null;
  const channels = Array.isArray(entry?.channels) ? entry.channels : [];
  const ready = channels.filter((c) => c.readiness === 'ready');
  const notReady = channels.filter((c) => c.readiness === 'not_ready');
  const other = channels.length - ready.length - notReady.length;
  const name = (c) => (c.chain ? `${c.chain} (${c.channel_id})` : c.channel_id);
  const parts = [];
  parts.push(h('p', { class: 'label' }, t('res.channels_ready', { n: formatNumber(ready.length) })));
  parts.push(ready.length
    ? h('ul', { class: 'channels-ready' }, ready.map((c) => h('li', null, h('strong', null, name(c)),
      c.score != null ? ` · ${t('res.fit_score', { score: formatNumber(c.score) })}` : '',
      c.assigned ? ` · ${t('res.slot_assigned')}` : '')))
    : h('p', { class: 'muted' }, t('res.nothing')));
  if (notReady.length) {
    parts.push(h('p', { class: 'label' }, t('res.channels_not_ready', { n: formatNumber(notReady.length) })));
    parts.push(h('ul', { class: 'channels-not-ready' }, notReady.map((c) => h('li', null,
      h('strong', null, name(c)),
      h('ul', { class: 'gaps' }, (c.gaps || []).map((g) => h('li', null, pick(g) || g.id)))))));
  }
  if (other > 0) parts.push(h('p', { class: 'muted' }, t('res.channels_not_applicable', { n: formatNumber(other) })));
  return h('div', null, parts);
}
