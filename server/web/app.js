// The officer page: a hash router over four views (#/screen, #/result, #/batch, #/programs), the
// language switch, and the data every view shares (programs and provinces from the service).

import { h, clear } from './dom.js';
import { t, initLang, lang, setLang, onLangChange, applyStatic } from './i18n.js';
import { api, ApiError } from './api.js';
import { ProfileForm } from './form.js';
import { renderResult, renderMatching } from './result.js';
import { renderPrograms } from './programs.js';
import { BatchPage } from './batch.js';

const VIEWS = ['screen', 'result', 'batch', 'programs'];

const state = {
  programsData: null,     // GET /v1/programs body
  programsError: null,
  provinces: [],
  result: null,           // {data, request} of the last screening shown
  matching: null,         // [{titleKey, data, error}] for the result shown
  matchPaths: [],         // matching endpoints the service offers (from its OpenAPI document)
};

let form;
let batch;

function programs() {
  return state.programsData?.programs || [];
}

function currentView() {
  const m = /^#\/(\w+)/.exec(window.location.hash);
  return m && VIEWS.includes(m[1]) ? m[1] : 'screen';
}

function show(view, { focus = true } = {}) {
  for (const v of VIEWS) document.getElementById(`view-${v}`).hidden = v !== view;
  for (const a of document.querySelectorAll('.site-nav a')) {
    if (a.dataset.view === view || (view === 'result' && a.dataset.view === 'screen')) {
      a.setAttribute('aria-current', 'page');
    } else {
      a.removeAttribute('aria-current');
    }
  }
  if (view === 'result') renderResultView();
  if (view === 'programs') renderProgramsView();
  const headingKey = { screen: 'form.heading', result: 'res.heading', batch: 'batch.heading', programs: 'prog.heading' }[view];
  document.title = `${t(headingKey)} — ${t('app.title')}`;
  if (focus) {
    // A new view starts at its top (after submitting a long form the window is at its bottom).
    window.scrollTo(0, 0);
    document.getElementById('main').focus({ preventScroll: true });
  }
}

function go(view) {
  if (currentView() === view && window.location.hash) show(view);
  else window.location.hash = `#/${view}`;
}

function renderResultView() {
  const box = clear(document.getElementById('result'));
  if (!state.result) {
    box.append(h('p', null, t('res.none')), h('p', null, h('a', { href: '#/screen' }, t('nav.screen'))));
    return;
  }
  const { data, request } = state.result;
  const actions = h('div', { class: 'actions no-print' },
    h('button', { type: 'button', class: 'primary', id: 'print-result', onclick: () => window.print() }, t('res.print')),
    h('button', {
      type: 'button',
      id: 'edit-profile',
      onclick: () => {
        form.load(request.enterprise, request);
        go('screen');
      },
    }, t('res.edit')),
    h('button', {
      type: 'button',
      id: 'new-profile',
      onclick: () => {
        form.load({});
        go('screen');
      },
    }, t('res.new')));
  box.append(renderResult({ ...data, province: request.enterprise?.province }, {
    programs: programs(),
    provinces: state.provinces,
    actions,
    matching: state.matching ? renderMatching(state.matching) : null,
  }));
}

function renderProgramsView() {
  const box = clear(document.getElementById('programs'));
  if (state.programsError) {
    box.append(h('p', { class: 'notice', role: 'alert' }, t('prog.load_error', { detail: state.programsError })));
  } else if (!state.programsData) {
    box.append(h('p', { class: 'muted' }, t('app.loading')));
  } else {
    box.append(renderPrograms(state.programsData));
  }
}

function renderFooter() {
  const hash = state.programsData?.rule_set || '';
  const el = clear(document.getElementById('footer-rule-set'));
  el.append(t('app.footer', { rule_set: '' }), h('code', { title: hash }, hash ? `${hash.slice(0, 19)}…` : '—'));
}

async function screen(request) {
  form.setBusy(true);
  try {
    const data = await api.screen({ ...request, lang: lang() });
    state.result = { data, request };
    state.matching = null;
    go('result');
    await runMatching(request.enterprise);
  } catch (e) {
    if (e instanceof ApiError && e.status >= 400 && e.status < 500) {
      form.showProblem(e.status, e.problem);
    } else if (e instanceof ApiError && e.status === 0) {
      form.showFailure({ key: 'err.network', values: { detail: e.message } });
    } else {
      form.showFailure({ key: 'err.service', values: { status: e.status ?? '', detail: e.message } });
    }
  } finally {
    form.setBusy(false);
  }
}

// Mentor and channel matching, only when the service offers it (POST /v1/match/*).
async function runMatching(enterprise) {
  if (state.matchPaths.length === 0) return;
  const forResult = state.result;
  const titles = { '/v1/match/mentors': 'res.mentors', '/v1/match/channels': 'res.channels' };
  const answers = await Promise.all(state.matchPaths.map(async (path) => {
    const kind = path.split('/').pop();
    try {
      return { titleKey: titles[path] || path, kind, data: await api.post(path, { enterprise, lang: lang() }) };
    } catch (e) {
      // 404/501: listed but not in this build; 503: no registry loaded — show nothing.
      if (e instanceof ApiError && [404, 501, 503].includes(e.status)) return null;
      return { titleKey: titles[path] || path, kind, error: e.message };
    }
  }));
  if (state.result !== forResult) return;  // another enterprise was screened meanwhile
  const shown = answers.filter(Boolean);
  state.matching = shown.length ? shown : null;
  if (currentView() === 'result') renderResultView();
}

// The matching endpoints the service documents as answering: `POST /v1/match/mentors` and
// `/channels`, listed by name or as `/v1/match/{kind}` with the kind in its enum, with a 200
// response. A route that is only reserved (documented with 501 alone) is not called.
function matchingPaths(paths) {
  const answers = (item) => Boolean(item?.post?.responses?.['200']);
  const templated = paths['/v1/match/{kind}'];
  const kinds = templated?.post?.parameters?.find((p) => p.name === 'kind')?.schema?.enum || [];
  return ['mentors', 'channels'].filter((kind) => answers(paths[`/v1/match/${kind}`])
    || (kinds.includes(kind) && answers(templated))).map((kind) => `/v1/match/${kind}`);
}

function showBatchDetails(result, profile) {
  state.result = { data: result, request: { enterprise: profile } };
  state.matching = null;
  go('result');
  runMatching(profile);
}

async function loadShared() {
  const [programsAnswer, provincesAnswer, openapi] = await Promise.allSettled([
    api.programs(), api.provinces(), api.openapi(),
  ]);
  if (programsAnswer.status === 'fulfilled') {
    state.programsData = programsAnswer.value;
  } else {
    state.programsError = programsAnswer.reason?.message || String(programsAnswer.reason);
  }
  if (provincesAnswer.status === 'fulfilled') state.provinces = provincesAnswer.value?.provinces || [];
  if (openapi.status === 'fulfilled' && openapi.value?.paths) {
    state.matchPaths = matchingPaths(openapi.value.paths);
  }
  form.setPrograms(programs());
  form.setProvinces(state.provinces);
  renderFooter();
  const view = currentView();
  if (view === 'programs' || view === 'result') show(view, { focus: false });
  document.body.dataset.ready = 'true';
}

function updateLangButton() {
  applyStatic();
  document.getElementById('lang-switch').setAttribute('lang', lang() === 'th' ? 'en' : 'th');
}

function main() {
  initLang();
  updateLangButton();
  form = new ProfileForm(document.getElementById('profile-form'),
    document.getElementById('form-errors'), screen);
  batch = new BatchPage(() => ({ programs: programs(), provinces: state.provinces }), showBatchDetails);
  document.getElementById('lang-switch').addEventListener('click', () => setLang(lang() === 'th' ? 'en' : 'th'));
  onLangChange(() => {
    updateLangButton();
    form.rerender();
    batch.refresh();
    renderFooter();
    show(currentView(), { focus: false });
  });
  window.addEventListener('hashchange', () => show(currentView()));
  show(currentView(), { focus: false });
  loadShared();
}

main();
