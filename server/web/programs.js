// The programs and their current criteria, from GET /v1/programs: what the rule scripts declare
// (names, effective period, criteria with sources, parameters, groups), in the page's language.

import { h } from './dom.js';
import { t, pick, formatDate } from './i18n.js';

export function renderPrograms(data) {
  const programs = Array.isArray(data?.programs) ? data.programs : [];
  return h('div', { class: 'programs' },
    h('p', { class: 'muted' }, `${t('prog.rule_set')}: `, h('code', { class: 'rule-set' }, data?.rule_set || '')),
    h('nav', { class: 'toc', 'aria-label': t('nav.programs') },
      h('ul', null, programs.map((p) => h('li', null, h('a', {
        href: `#program-${p.id}`,
        onclick: (ev) => {
          ev.preventDefault();
          const target = document.getElementById(`program-${p.id}`);
          target?.scrollIntoView();
          target?.focus();
        },
      }, p.id))))),
    programs.map(programSection));
}

function assumedBadge(assumed) {
  return assumed
    ? h('span', { class: 'badge-assumed', title: t('prog.assumed_title') }, t('prog.assumed'))
    : null;
}

function programSection(p) {
  const headingId = `program-${p.id}-heading`;
  const effective = p.effective_to
    ? t('prog.effective', { from: formatDate(p.effective_from), to: formatDate(p.effective_to) })
    : t('prog.effective_open', { from: formatDate(p.effective_from) });
  const criteria = Array.isArray(p.criteria) ? p.criteria : [];
  const parameters = Array.isArray(p.parameters) ? p.parameters : [];
  const groups = Array.isArray(p.groups) ? p.groups : [];
  return h('section', { class: 'program', id: `program-${p.id}`, tabindex: '-1', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, pick(p.name) || p.id),
    h('p', { class: 'program-id muted' }, `${p.id} · ${t('res.version', { v: p.version })} · ${effective}`),
    pick(p.description) ? h('p', null, pick(p.description)) : null,
    p.source ? h('p', { class: 'small' }, `${t('prog.source')}: ${p.source}`) : null,
    h('h3', null, t('prog.criteria')),
    h('ol', { class: 'criteria-def' }, criteria.map((c) => h('li', { 'data-criterion': c.id },
      h('span', { class: 'crit-title' }, pick(c.title) || c.id), ' ', assumedBadge(c.assumed),
      h('span', { class: 'small muted block' }, h('code', null, c.id), c.source ? ` · ${t('prog.source')}: ${c.source}` : '')))),
    parameters.length ? [
      h('h3', { id: `program-${p.id}-params` }, t('prog.parameters')),
      h('div', { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-labelledby': `program-${p.id}-params` },
        h('table', { class: 'data' },
          h('thead', null, h('tr', null,
            h('th', { scope: 'col' }, t('prog.param_name')),
            h('th', { scope: 'col' }, t('prog.param_value')),
            h('th', { scope: 'col' }, t('prog.param_desc')),
            h('th', { scope: 'col' }, t('prog.source')))),
          h('tbody', null, parameters.map((param) => h('tr', null,
            h('th', { scope: 'row' }, h('code', null, param.name)),
            h('td', null, formatValue(param.value), param.unit ? ` ${param.unit}` : ''),
            h('td', null, pick(param.description)),
            h('td', null, param.source || '', ' ', assumedBadge(param.assumed)))))))] : null,
    groups.length ? [
      h('h3', null, t('prog.groups')),
      h('ul', null, groups.map((g) => h('li', null, pick(g.label), h('span', { class: 'muted' }, ` (${g.id})`))))] : null);
}

function formatValue(value) {
  if (Array.isArray(value)) return value.join(', ');
  if (value && typeof value === 'object') return JSON.stringify(value);
  return String(value ?? '');
}
