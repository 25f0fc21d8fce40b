// Screening a whole CSV file: read and converted in the browser (csv.js, fields.js), sent to
// POST /v1/screen/batch in chunks so that progress shows and no request nears the body limit,
// then summarised (counts per program and province, a bar chart) and offered as a CSV download
// that Excel opens with Thai intact (UTF-8 with BOM).

import { h, clear } from './dom.js';
import { t, pick, formatNumber } from './i18n.js';
import { parseCsv, decodeCsvBytes, toCsv, CsvError } from './csv.js';
import {
  checkCsvHeader, csvRecordToProfile, pointerSegments, pointerToColumn, serverMessage,
} from './fields.js';
import { api, ApiError } from './api.js';
import { benefitOf, errorOf } from './result.js';

const CHUNK_SIZE = 25;          // records per request
const TABLE_ROWS_SHOWN = 500;   // the download has every row
const OUTCOMES = ['eligible', 'needs_information', 'ineligible', 'error'];

export class BatchPage {
  // `context()` returns {programs, provinces}; `showDetails(result, profile)` opens one result.
  constructor(context, showDetails) {
    this.context = context;
    this.showDetails = showDetails;
    this.form = document.getElementById('batch-form');
    this.fileInput = document.getElementById('batch-file');
    this.fileError = document.getElementById('batch-file-error');
    this.stopButton = document.getElementById('batch-stop');
    this.startButton = document.getElementById('batch-start');
    this.status = document.getElementById('batch-status');
    this.progress = document.getElementById('batch-progress');
    this.progressText = document.getElementById('batch-progress-text');
    this.notice = document.getElementById('batch-notice');
    this.report = document.getElementById('batch-report');
    this.rows = null;       // [{record, id, name, province, profile?, errors?, result?}]
    this.state = null;      // {done, total, running, stopped, notices: [{key, values}]}
    this.fileName = '';
    this.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.start();
    });
    this.stopButton.addEventListener('click', () => {
      if (this.state) this.state.stopped = true;
    });
    this.fileInput.addEventListener('change', () => this.setFileError(null));
  }

  setFileError(key, values) {
    this.fileError.hidden = !key;
    this.fileError.textContent = key ? t(key, values) : '';
    if (key) {
      this.fileInput.setAttribute('aria-invalid', 'true');
      this.fileInput.focus();
    } else {
      this.fileInput.removeAttribute('aria-invalid');
    }
  }

  async start() {
    if (this.state?.running) return;
    const file = this.fileInput.files && this.fileInput.files[0];
    if (!file) {
      this.setFileError('batch.no_file');
      return;
    }
    this.setFileError(null);
    this.fileName = file.name;
    this.state = { done: 0, total: 0, running: true, stopped: false, notices: [] };
    this.rows = null;
    clear(this.report);
    this.renderNotices();
    this.status.hidden = false;
    this.progress.removeAttribute('value');  // indeterminate while reading
    this.progressText.textContent = t('batch.reading');

    const { text, fallback } = decodeCsvBytes(await file.arrayBuffer());
    if (fallback) {
      this.state.notices.push({ key: 'batch.encoding' });
      this.renderNotices();
    }
    let records;
    try {
      records = parseCsv(text);
    } catch (e) {
      return this.refuse('batch.parse_error', { detail: e instanceof CsvError ? e.message : String(e) });
    }
    if (records.length < 2) return this.refuse('batch.empty');
    const header = records[0].cells;
    const headerProblems = checkCsvHeader(header);
    if (headerProblems.length) return this.refuse('batch.header_error', { detail: headerProblems.join('; ') });

    const col = (name) => header.indexOf(name);
    this.rows = records.slice(1).map(({ record, cells }) => {
      const converted = csvRecordToProfile(header, cells);
      const cell = (name) => (col(name) >= 0 ? cells[col(name)] ?? '' : '');
      return {
        record, id: cell('id'), name: cell('name'), province: cell('province'),
        profile: converted.profile, errors: converted.errors,
      };
    });
    this.state.total = this.rows.length;
    this.stopButton.hidden = false;
    this.startButton.disabled = true;
    this.updateProgress();

    const pending = this.rows.filter((r) => r.profile);
    this.state.done = this.rows.length - pending.length;  // invalid rows are done already
    this.updateProgress();
    for (let i = 0; i < pending.length && !this.state.stopped; i += CHUNK_SIZE) {
      const chunk = pending.slice(i, i + CHUNK_SIZE);
      await this.sendChunk(chunk);
      this.state.done += chunk.length;
      this.updateProgress();
    }
    this.state.running = false;
    this.stopButton.hidden = true;
    this.startButton.disabled = false;
    this.updateProgress();
    this.renderReport();
  }

  refuse(key, values) {
    this.state.running = false;
    this.status.hidden = true;
    this.setFileError(key, values);
  }

  async sendChunk(chunk) {
    try {
      const answer = await api.screenBatch(chunk.map((r) => r.profile));
      const results = Array.isArray(answer?.results) ? answer.results : [];
      results.forEach((result, position) => {
        const row = chunk[Number.isInteger(result.index) ? result.index : position];
        if (!row) return;
        if (result.error) {
          row.errors = problemErrors(result.error);
        } else {
          row.result = result;
        }
      });
      for (const row of chunk) {
        if (!row.result && !row.errors) row.errors = [{ column: '', detail: 'no answer for this record' }];
      }
    } catch (e) {
      const detail = e instanceof ApiError ? `${e.status || ''} ${e.message}`.trim() : String(e);
      this.state.notices.push({
        key: 'batch.chunk_error',
        values: { from: chunk[0].record, to: chunk[chunk.length - 1].record, detail },
      });
      for (const row of chunk) row.errors = [{ column: '', detail }];
      this.renderNotices();
    }
  }

  updateProgress() {
    const { done, total, running, stopped } = this.state;
    this.progress.max = Math.max(total, 1);
    this.progress.value = done;
    let key = 'batch.progress';
    if (!running) key = stopped && done < total ? 'batch.stopped' : 'batch.done';
    this.progressText.textContent = t(key, { done: formatNumber(done), total: formatNumber(total) });
  }

  renderNotices() {
    const notices = this.state?.notices || [];
    this.notice.hidden = notices.length === 0;
    clear(this.notice);
    for (const n of notices) this.notice.append(h('p', null, t(n.key, n.values)));
  }

  // Re-renders everything in the current language (after a language switch).
  refresh() {
    if (!this.state) return;
    if (this.fileError.textContent && !this.fileError.hidden) this.fileError.hidden = true;
    if (this.state.total) this.updateProgress();
    this.renderNotices();
    if (this.rows && !this.state.running) this.renderReport();
  }

  summary() {
    const { programs } = this.context();
    const programIds = programs.map((p) => p.id);
    const byProgram = {};
    const byProvince = {};
    let screened = 0;
    let invalid = 0;
    for (const row of this.rows) {
      if (!row.result) {
        if (row.errors) invalid += 1;
        continue;
      }
      screened += 1;
      for (const d of row.result.decisions || []) {
        if (!programIds.includes(d.program)) programIds.push(d.program);
        const counts = (byProgram[d.program] ??= { eligible: 0, needs_information: 0, ineligible: 0, error: 0 });
        counts[d.outcome] = (counts[d.outcome] || 0) + 1;
        if (d.outcome === 'eligible') {
          const province = row.profile.province || '';
          const p = (byProvince[province] ??= {});
          p[d.program] = (p[d.program] || 0) + 1;
        }
      }
    }
    return { programIds: programIds.filter((id) => byProgram[id]), byProgram, byProvince, screened, invalid };
  }

  renderReport() {
    const report = clear(this.report);
    const s = this.summary();
    const { programs, provinces } = this.context();
    const programName = (id) => pick(programs.find((p) => p.id === id)?.name) || id;
    const provinceName = (code) => {
      const p = provinces.find((x) => x.code === code);
      return p ? pick([p.name_th, p.name_en]) : (code || t('batch.no_province'));
    };

    report.append(h('section', { class: 'batch-summary', 'aria-labelledby': 'batch-summary-heading' },
      h('h2', { id: 'batch-summary-heading' }, t('batch.summary')),
      h('p', { class: 'counts', id: 'batch-counts' },
        t('batch.counts', { screened: formatNumber(s.screened), invalid: formatNumber(s.invalid) })),
      h('div', { class: 'actions' }, h('button', {
        type: 'button', id: 'batch-download', class: 'primary', onclick: () => this.download(),
      }, t('batch.download'))),
      h('h3', { id: 'by-program-heading' }, t('batch.by_program')),
      barChart(s, programName),
      tableWrap('by-program-heading', h('table', { class: 'data', id: 'by-program' },
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('batch.program')),
          OUTCOMES.map((o) => h('th', { scope: 'col', class: 'num' }, t(`outcome.${o}`))))),
        h('tbody', null, s.programIds.map((id) => h('tr', { 'data-program': id },
          h('th', { scope: 'row' }, id, h('span', { class: 'muted small' }, ` ${programName(id)}`)),
          OUTCOMES.map((o) => h('td', { class: `num cell-${o}` }, formatNumber(s.byProgram[id][o] || 0)))))))),
      h('h3', { id: 'by-province-heading' }, t('batch.by_province')),
      provinceTable(s, provinceName)));

    const bad = this.rows.filter((r) => !r.result && r.errors);
    if (bad.length) {
      report.append(h('section', { class: 'batch-errors', 'aria-labelledby': 'batch-errors-heading' },
        h('h2', { id: 'batch-errors-heading' }, `${t('batch.errors')} (${formatNumber(bad.length)})`),
        tableWrap('batch-errors-heading', h('table', { class: 'data', id: 'batch-errors' },
          h('thead', null, h('tr', null, ['batch.record', 'batch.id', 'batch.field', 'batch.problem']
            .map((k) => h('th', { scope: 'col' }, t(k))))),
          h('tbody', null, bad.flatMap((row) => row.errors.map((e) => h('tr', { 'data-record': row.record },
            h('td', { class: 'num' }, String(row.record)),
            h('td', null, row.id),
            h('td', null, h('code', null, e.column || '—')),
            h('td', null, serverMessage(e.detail))))))))));
    }

    const screened = this.rows.filter((r) => r.result);
    if (screened.length) {
      const ids = s.programIds;
      report.append(h('section', { class: 'batch-results', 'aria-labelledby': 'batch-results-heading' },
        h('h2', { id: 'batch-results-heading' }, t('batch.results')),
        tableWrap('batch-results-heading', h('table', { class: 'data', id: 'batch-results' },
          h('thead', null, h('tr', null,
            h('th', { scope: 'col' }, t('batch.record')),
            h('th', { scope: 'col' }, t('batch.id')),
            h('th', { scope: 'col' }, t('batch.province')),
            ids.map((id) => h('th', { scope: 'col' }, id)),
            h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('batch.view'))))),
          h('tbody', null, screened.slice(0, TABLE_ROWS_SHOWN).map((row) => {
            const outcome = (id) => row.result.decisions.find((d) => d.program === id)?.outcome;
            return h('tr', null,
              h('td', { class: 'num' }, String(row.record)),
              h('th', { scope: 'row' }, row.id, h('span', { class: 'muted small block' }, row.name)),
              h('td', null, provinceName(row.profile.province)),
              ids.map((id) => {
                const o = outcome(id);
                return h('td', { class: o ? `cell-${o}` : null }, o ? t(`outcome.${o}`) : '—');
              }),
              h('td', null, h('button', {
                type: 'button', class: 'link',
                'aria-label': `${t('batch.view')} ${row.id}`,
                onclick: () => this.showDetails(row.result, row.profile),
              }, t('batch.view'))));
          }))))));
    }
  }

  // The results as CSV: one row per enterprise × program like `smematch screen -o x.csv`, plus
  // the CSV record number, the decision id, and one row per invalid record.
  csvRows() {
    const { programs } = this.context();
    const head = ['record', 'id', 'name', 'province', 'program', 'version', 'outcome', 'outcome_text',
      'score', 'group', 'failed_criteria', 'missing_fields', 'reasons', 'benefit', 'as_of',
      'rule_set', 'decision_id'];
    const rows = [head];
    for (const row of this.rows) {
      if (row.result) {
        const r = row.result;
        for (const d of r.decisions || []) {
          const program = programs.find((p) => p.id === d.program);
          const group = d.group != null ? pick(program?.groups?.find((g) => g.id === d.group)?.label) || d.group : '';
          const criteria = Array.isArray(d.criteria) ? d.criteria : [];
          const shown = d.outcome === 'eligible' ? criteria : criteria.filter((c) => c.result !== 'pass');
          const reasons = d.outcome === 'error' && d.error
            ? errorOf(d)
            : shown.map((c) => pick(c.reason) || c.id).join(' | ');
          rows.push([row.record, row.id, row.name, row.profile.province ?? '', d.program, d.version ?? '',
            d.outcome, t(`outcome.${d.outcome}`), d.score ?? '', group, (d.failed || []).join(';'),
            (d.missing || []).join(';'), reasons, d.outcome === 'eligible' ? benefitOf(d) : '',
            r.as_of ?? '', r.rule_set ?? '', r.decision_id ?? '']);
        }
      } else if (row.errors) {
        rows.push([row.record, row.id, row.name, row.province, '', '', 'invalid', t('outcome.invalid'),
          '', '', '', '', row.errors.map((e) => (e.column ? `${e.column}: ${e.detail}` : e.detail)).join('; '),
          '', '', '', '']);
      }
    }
    return rows;
  }

  download() {
    const blob = new Blob([toCsv(this.csvRows())], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const base = this.fileName.replace(/\.[^.]*$/, '') || 'enterprises';
    const a = h('a', { href: url, download: `${base}-results.csv`, class: 'visually-hidden' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }
}

// The per-item errors of a batch answer, as [{column, detail}]: pointers are "/<index>/<field>...".
function problemErrors(problem) {
  const list = Array.isArray(problem.errors) && problem.errors.length
    ? problem.errors
    : [{ pointer: '', detail: problem.detail || problem.title || 'invalid' }];
  return list.map((e) => {
    const seg = pointerSegments(e.pointer || '');
    if (seg.length && /^\d+$/.test(seg[0])) seg.shift();
    if (seg[0] === 'enterprise') seg.shift();
    return { column: pointerToColumn(seg), detail: e.detail || '' };
  });
}

function tableWrap(labelledBy, table) {
  return h('div', { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-labelledby': labelledBy }, table);
}

// A horizontal stacked bar per program: eligible, needs information, ineligible, rule error.
// The numbers are in the table next to it; the chart is an image with a text alternative.
// No viewBox: bars are laid out in percent of the width and texts keep their size, so the chart
// stays readable on a 360 px phone (each program's name is above its bar).
function barChart(s, programName) {
  const rowHeight = 46;
  const barTop = 22;
  const barHeight = 16;
  const barSpan = 86;  // percent of the width for the longest bar; the rest for its number
  const max = Math.max(1, ...s.programIds.map((id) => OUTCOMES.reduce((n, o) => n + (s.byProgram[id][o] || 0), 0)));
  const height = s.programIds.length * rowHeight;
  const desc = s.programIds.map((id) => `${id}: ${t('outcome.eligible')} ${s.byProgram[id].eligible || 0}`).join(', ');
  const svg = h('svg', {
    class: 'chart', id: 'batch-chart', width: '100%', height, role: 'img',
    'aria-labelledby': 'batch-chart-title batch-chart-desc',
  },
  h('title', { id: 'batch-chart-title' }, t('batch.by_program_chart')),
  h('desc', { id: 'batch-chart-desc' }, desc));
  s.programIds.forEach((id, i) => {
    const y = i * rowHeight;
    const g = h('g', { class: 'bar-row' }, h('text', { x: 0, y: y + 16, class: 'bar-label' }, id));
    let x = 0;
    for (const o of OUTCOMES) {
      const n = s.byProgram[id][o] || 0;
      if (!n) continue;
      const w = (n / max) * barSpan;
      g.append(h('rect', {
        x: `${x.toFixed(3)}%`, y: y + barTop, width: `${Math.max(w, 0.3).toFixed(3)}%`, height: barHeight,
        class: `bar bar-${o}`,
      }, h('title', null, `${programName(id)} · ${t(`outcome.${o}`)}: ${n}`)));
      x += w;
    }
    g.append(h('text', { x: `${x.toFixed(3)}%`, dx: 6, y: y + barTop + 13, class: 'bar-value' },
      formatNumber(s.byProgram[id].eligible || 0)));
    svg.append(g);
  });
  // The legend is HTML, so it wraps on a narrow screen and is read as text.
  const legend = h('ul', { class: 'chart-legend', 'aria-hidden': 'true' }, OUTCOMES.map((o) => h('li', null,
    h('span', { class: `swatch swatch-${o}` }), t(`outcome.${o}`))));
  return h('figure', { class: 'chart-figure' }, svg, legend);
}

function provinceTable(s, provinceName) {
  const codes = Object.keys(s.byProvince).sort((a, b) => {
    const total = (c) => Object.values(s.byProvince[c]).reduce((x, y) => x + y, 0);
    return total(b) - total(a) || provinceName(a).localeCompare(provinceName(b));
  });
  return tableWrap('by-province-heading', h('table', { class: 'data', id: 'by-province' },
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('batch.province')),
      s.programIds.map((id) => h('th', { scope: 'col', class: 'num' }, id)),
      h('th', { scope: 'col', class: 'num' }, t('batch.total')))),
    h('tbody', null, codes.map((code) => {
      const counts = s.byProvince[code];
      const total = Object.values(counts).reduce((x, y) => x + y, 0);
      return h('tr', { 'data-province': code },
        h('th', { scope: 'row' }, provinceName(code), h('span', { class: 'muted small' }, ` ${code}`)),
        s.programIds.map((id) => h('td', { class: 'num' }, formatNumber(counts[id] || 0))),
        h('td', { class: 'num total' }, formatNumber(total)));
    }))));
}
