// The one-enterprise form: built from fields.js, checked in the browser, and able to show the
// service's field errors (problem+json `errors[].pointer`) at the same controls.

import { h, clear } from './dom.js';
import { t, pick, fieldLabel, codeLabel, formatNumber, FIELD_HINTS } from './i18n.js';
import {
  FIELDS, PARTICIPATION_KEYS, NEED_DIMENSIONS, CODES, checkValue, pointerSegments, serverMessage,
} from './fields.js';

const SECTIONS = ['identity', 'size', 'products'];

export class ProfileForm {
  // `form` is the <form>, `summary` the error summary box; `onSubmit(request)` receives
  // {enterprise, programs?, as_of?} once the browser checks pass.
  constructor(form, summary, onSubmit) {
    this.form = form;
    this.summary = summary;
    this.onSubmit = onSubmit;
    this.provinces = [];
    this.programs = [];
    this.participationRows = 0;
    this.errors = [];          // [{target, label, message: {key, values} | {server}}]
    this.errorsFromServer = false;
    this.sentParticipation = [];  // index sent → form row, for server pointers
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.submit();
    });
    this.render();
  }

  setProvinces(list) {
    this.provinces = list;
    this.rerender();
  }

  setPrograms(list) {
    this.programs = list;
    this.rerender();
  }

  setBusy(busy) {
    const button = this.form.querySelector('button[type=submit]');
    if (button) {
      button.disabled = busy;
      button.textContent = busy ? t('form.sending') : t('form.submit');
    }
    this.form.setAttribute('aria-busy', busy ? 'true' : 'false');
  }

  // Rebuilds the form in the current language, keeping what was typed and the errors shown.
  rerender() {
    const raw = this.readRaw();
    this.render();
    this.writeRaw(raw);
    this.renderErrors(false);
  }

  render() {
    const form = clear(this.form);
    const bySection = (s) => FIELDS.filter((f) => f.section === s).map((f) => this.control(f));
    for (const section of SECTIONS) {
      form.append(h('fieldset', { class: `group group-${section}` },
        h('legend', null, t(`sec.${section}`)),
        h('div', { class: 'grid' }, bySection(section))));
    }
    form.append(this.needsGroup(), this.participationGroup(), this.optionsGroup());
    form.append(h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, t('form.submit')),
      h('button', {
        type: 'button',
        onclick: () => {
          this.participationRows = 0;
          this.render();
          this.clearErrors();
          this.form.querySelector('input,select')?.focus();
        },
      }, t('form.reset'))));
  }

  // One labelled control with its hint and (hidden) error line.
  control(spec) {
    const id = `f-${spec.name}`;
    const hintPair = FIELD_HINTS[spec.name];
    const hint = hintPair ? h('p', { class: 'hint', id: `${id}-hint` }, pick(hintPair)) : null;
    const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
    const describedBy = hint ? `${id}-hint` : null;
    const label = h('label', { for: id }, fieldLabel(spec.name),
      spec.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null);
    let input;
    switch (spec.kind) {
      case 'code':
        input = h('select', { id, name: spec.name, 'aria-describedby': describedBy },
          h('option', { value: '' }, t('select.unknown')),
          CODES[spec.name].map((c) => h('option', { value: c }, codeLabel(spec.name, c))));
        break;
      case 'province': {
        const locale = pick(['th', 'en']);
        const sorted = [...this.provinces].sort((a, b) =>
          pick([a.name_th, a.name_en]).localeCompare(pick([b.name_th, b.name_en]), locale));
        input = h('select', { id, name: spec.name, 'aria-describedby': describedBy },
          h('option', { value: '' }, t('select.unknown')),
          sorted.map((p) => h('option', { value: p.code }, `${pick([p.name_th, p.name_en])} (${p.code})`)));
        break;
      }
      case 'level': {
        const options = [];
        for (let v = spec.min; v <= spec.max; v += 1) options.push(h('option', { value: String(v) }, String(v)));
        input = h('select', { id, name: spec.name, 'aria-describedby': describedBy },
          h('option', { value: '' }, t(spec.none)), options);
        break;
      }
      case 'bool':
        input = h('select', { id, name: spec.name, 'aria-describedby': describedBy },
          h('option', { value: '' }, t('select.unknown')),
          h('option', { value: 'true' }, t('bool.true')),
          h('option', { value: 'false' }, t('bool.false')));
        break;
      case 'certs':
        return h('fieldset', { class: 'field field-wide checks', id, 'aria-describedby': `${id}-hint` },
          h('legend', null, fieldLabel('certifications')),
          hint,
          error,
          h('div', { class: 'check-grid' }, CODES.certifications.map((c) => h('div', { class: 'check' },
            h('input', { type: 'checkbox', id: `f-cert-${c}`, name: 'certifications', value: c }),
            h('label', { for: `f-cert-${c}` }, codeLabel('certifications', c))))));
      default: {
        const numeric = spec.kind === 'int' || spec.kind === 'number' || spec.kind === 'identifier';
        input = h('input', {
          type: 'text',
          id,
          name: spec.name,
          inputmode: spec.kind === 'number' ? 'decimal' : (numeric ? 'numeric' : null),
          autocomplete: 'off',
          spellcheck: numeric ? 'false' : null,
          'aria-required': spec.required ? 'true' : null,
          'aria-describedby': describedBy,
          maxlength: spec.kind === 'identifier' ? 20 : null,
        });
      }
    }
    const wide = spec.name === 'name' ? ' field-name' : '';
    return h('div', { class: `field${wide}` }, label, hint, error, input);
  }

  needsGroup() {
    return h('fieldset', { class: 'group group-needs', id: 'f-needs', 'aria-describedby': 'f-needs-hint' },
      h('legend', null, t('sec.needs')),
      h('p', { class: 'hint', id: 'f-needs-hint' }, t('sec.needs_hint')),
      h('p', { class: 'field-error', id: 'f-needs-error', hidden: true }),
      h('div', { class: 'grid' }, NEED_DIMENSIONS.map((d) => {
        const id = `f-need_${d}`;
        const options = [0, 1, 2, 3, 4, 5].map((v) => h('option', { value: String(v) }, String(v)));
        return h('div', { class: 'field' },
          h('label', { for: id }, codeLabel('needs', d)),
          h('p', { class: 'field-error', id: `${id}-error`, hidden: true }),
          h('select', { id, name: `need_${d}` }, h('option', { value: '' }, t('select.not_assessed')), options));
      })));
  }

  participationGroup() {
    const list = h('div', { class: 'participation-list', id: 'f-participation-list' });
    const group = h('fieldset', { class: 'group group-participation', id: 'f-participation', 'aria-describedby': 'f-participation-hint' },
      h('legend', null, t('sec.participation')),
      h('p', { class: 'hint', id: 'f-participation-hint' }, t('sec.participation_hint')),
      h('p', { class: 'field-error', id: 'f-participation-error', hidden: true }),
      list,
      h('datalist', { id: 'program-ids' }, this.programs.map((p) => h('option', { value: p.id }))),
      h('button', {
        type: 'button',
        id: 'f-participation-add',
        onclick: () => {
          const raw = this.readRaw();
          this.participationRows += 1;
          this.rerenderParticipation(raw);
          document.getElementById(`f-participation-${this.participationRows - 1}-program`)?.focus();
        },
      }, t('part.add')));
    this.fillParticipation(list);
    return group;
  }

  fillParticipation(list) {
    clear(list);
    if (this.participationRows === 0) list.append(h('p', { class: 'muted' }, t('part.none')));
    for (let i = 0; i < this.participationRows; i += 1) {
      const n = i + 1;
      list.append(h('fieldset', { class: 'participation-row', id: `f-participation-${i}` },
        h('legend', null, t('part.row', { n })),
        PARTICIPATION_KEYS.map((k) => {
          const id = `f-participation-${i}-${k.name}`;
          return h('div', { class: 'field' },
            h('label', { for: id }, fieldLabel(k.name), k.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
            h('p', { class: 'field-error', id: `${id}-error`, hidden: true }),
            h('input', {
              type: 'text', id, name: id, autocomplete: 'off',
              inputmode: k.kind === 'int' ? 'numeric' : null,
              list: k.name === 'program' ? 'program-ids' : null,
              'aria-required': k.required ? 'true' : null,
            }));
        }),
        h('button', {
          type: 'button',
          class: 'remove',
          onclick: () => {
            const raw = this.readRaw();
            raw.participation.splice(i, 1);
            this.participationRows -= 1;
            this.rerenderParticipation(raw);
            document.getElementById('f-participation-add')?.focus();
          },
        }, t('part.remove', { n }))));
    }
  }

  rerenderParticipation(raw) {
    this.fillParticipation(document.getElementById('f-participation-list'));
    this.writeRaw(raw);
  }

  optionsGroup() {
    return h('fieldset', { class: 'group group-options' },
      h('legend', null, t('sec.options')),
      h('fieldset', { class: 'field field-wide checks', id: 'f-programs', 'aria-describedby': 'f-programs-hint' },
        h('legend', null, t('opt.programs')),
        h('p', { class: 'hint', id: 'f-programs-hint' }, t('opt.programs_hint')),
        h('p', { class: 'field-error', id: 'f-programs-error', hidden: true }),
        h('div', { class: 'check-grid' }, this.programs.map((p) => h('div', { class: 'check' },
          h('input', { type: 'checkbox', id: `f-program-${p.id}`, name: 'programs', value: p.id }),
          h('label', { for: `f-program-${p.id}` }, `${p.id} · ${pick(p.name)}`))))),
      h('div', { class: 'field' },
        h('label', { for: 'f-as_of' }, t('opt.as_of')),
        h('p', { class: 'hint', id: 'f-as_of-hint' }, t('opt.as_of_hint')),
        h('p', { class: 'field-error', id: 'f-as_of-error', hidden: true }),
        h('input', { type: 'date', id: 'f-as_of', name: 'as_of', 'aria-describedby': 'f-as_of-hint' })));
  }

  // Every control's raw value, by control id (checkboxes: checked), plus participation rows.
  readRaw() {
    const raw = { controls: {}, participation: [] };
    for (const el of this.form.querySelectorAll('input,select')) {
      if (!el.id || el.id.startsWith('f-participation-')) continue;
      raw.controls[el.id] = el.type === 'checkbox' ? el.checked : el.value;
    }
    for (let i = 0; i < this.participationRows; i += 1) {
      const row = {};
      for (const k of PARTICIPATION_KEYS) {
        row[k.name] = document.getElementById(`f-participation-${i}-${k.name}`)?.value ?? '';
      }
      raw.participation.push(row);
    }
    return raw;
  }

  writeRaw(raw) {
    for (const [id, value] of Object.entries(raw.controls)) {
      const el = document.getElementById(id);
      if (!el) continue;
      if (el.type === 'checkbox') el.checked = value;
      else el.value = value;
    }
    raw.participation.forEach((row, i) => {
      for (const k of PARTICIPATION_KEYS) {
        const el = document.getElementById(`f-participation-${i}-${k.name}`);
        if (el) el.value = row[k.name];
      }
    });
  }

  // Fills the form from a profile (for "back to the form" after a result).
  load(profile, options = {}) {
    this.participationRows = (profile.participation || []).length;
    this.render();
    const set = (id, v) => {
      const el = document.getElementById(id);
      if (el && v != null) el.value = String(v);
    };
    for (const spec of FIELDS) {
      if (spec.kind === 'certs') {
        for (const c of profile.certifications || []) {
          const el = document.getElementById(`f-cert-${c}`);
          if (el) el.checked = true;
        }
      } else {
        set(`f-${spec.name}`, profile[spec.name]);
      }
    }
    for (const [d, v] of Object.entries(profile.needs || {})) set(`f-need_${d}`, v);
    (profile.participation || []).forEach((p, i) => {
      for (const k of PARTICIPATION_KEYS) set(`f-participation-${i}-${k.name}`, p[k.name]);
    });
    for (const id of options.programs || []) {
      const el = document.getElementById(`f-program-${id}`);
      if (el) el.checked = true;
    }
    set('f-as_of', options.as_of);
    this.clearErrors();
  }

  // Reads and checks the form. Returns {request, errors}.
  collect() {
    const errors = [];
    const enterprise = {};
    const value = (id) => (document.getElementById(id)?.value ?? '').trim();
    for (const spec of FIELDS) {
      if (spec.kind === 'certs') {
        const held = CODES.certifications.filter((c) => document.getElementById(`f-cert-${c}`)?.checked);
        if (held.length) enterprise.certifications = held;
        continue;
      }
      const result = checkValue(spec, value(`f-${spec.name}`));
      if (result.error) {
        errors.push({ target: `f-${spec.name}`, label: fieldLabel(spec.name), message: result.error });
      } else if (result.value !== undefined) {
        enterprise[spec.name] = result.value;
      }
    }
    const needs = {};
    let assessed = false;
    for (const d of NEED_DIMENSIONS) {
      const v = value(`f-need_${d}`);
      if (v !== '') {
        needs[d] = Number(v);
        assessed = true;
      }
    }
    if (assessed) enterprise.needs = needs;

    const participation = [];
    this.sentParticipation = [];
    for (let i = 0; i < this.participationRows; i += 1) {
      const texts = PARTICIPATION_KEYS.map((k) => value(`f-participation-${i}-${k.name}`));
      if (texts.every((s) => s === '')) continue;
      const entry = {};
      PARTICIPATION_KEYS.forEach((k, j) => {
        const result = checkValue(k, texts[j]);
        if (result.error) {
          errors.push({
            target: `f-participation-${i}-${k.name}`,
            label: `${t('part.row', { n: i + 1 })}: ${fieldLabel(k.name)}`,
            message: result.error,
          });
        } else if (result.value !== undefined) {
          entry[k.name] = result.value;
        }
      });
      participation.push(entry);
      this.sentParticipation.push(i);
    }
    if (participation.length) enterprise.participation = participation;

    const request = { enterprise };
    const programs = this.programs.map((p) => p.id)
      .filter((id) => document.getElementById(`f-program-${id}`)?.checked);
    if (programs.length) request.programs = programs;
    const asOf = value('f-as_of');
    if (asOf) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) {
        errors.push({ target: 'f-as_of', label: t('opt.as_of'), message: { key: 'err.date' } });
      } else {
        request.as_of = asOf;
      }
    }
    return { request, errors };
  }

  submit() {
    const { request, errors } = this.collect();
    if (errors.length) {
      this.errors = errors;
      this.errorsFromServer = false;
      this.renderErrors(true);
      return;
    }
    this.clearErrors();
    this.onSubmit(request);
  }

  // Shows the errors of a problem+json answer of POST /v1/screen at their fields.
  showProblem(status, problem) {
    const list = Array.isArray(problem.errors) ? problem.errors : [];
    const errors = list.map((e) => this.errorFromPointer(e.pointer, e.detail));
    if (errors.length === 0) {
      errors.push({
        target: null,
        label: t('err.not_field'),
        message: { key: 'err.service', values: { status, detail: problem.detail || problem.title || '' } },
      });
    }
    this.errors = errors;
    this.errorsFromServer = true;
    this.renderErrors(true);
  }

  showFailure(message) {
    this.errors = [{ target: null, label: t('err.not_field'), message }];
    this.errorsFromServer = false;
    this.renderErrors(true);
  }

  errorFromPointer(pointer, detail) {
    const seg = pointerSegments(pointer || '');
    const fallback = { target: null, label: pointer || t('err.not_field'), message: { server: detail } };
    if (seg[0] === 'as_of') return { target: 'f-as_of', label: t('opt.as_of'), message: { server: detail } };
    if (seg[0] === 'programs') return { target: 'f-programs', label: t('opt.programs'), message: { server: detail } };
    if (seg[0] !== 'enterprise') return fallback;
    const [field, sub, key] = seg.slice(1);
    if (field === undefined) return fallback;
    if (field === 'needs') {
      const target = sub && NEED_DIMENSIONS.includes(sub) ? `f-need_${sub}` : 'f-needs';
      return { target, label: sub ? codeLabel('needs', sub) : fieldLabel('needs'), message: { server: detail } };
    }
    if (field === 'participation') {
      const row = sub !== undefined ? this.sentParticipation[Number(sub)] : undefined;
      if (row === undefined) return { target: 'f-participation', label: fieldLabel('participation'), message: { server: detail } };
      // "/participation/2" with "man_days_used: expected 0 to 366, got 400" names the key in the text.
      let k = key;
      let text = detail;
      const m = /^(program|fiscal_year|man_days_used): (.*)$/.exec(String(detail));
      if (!k && m) [, k, text] = m;
      const target = `f-participation-${row}-${k || 'program'}`;
      return { target, label: `${t('part.row', { n: row + 1 })}: ${fieldLabel(k || 'program')}`, message: { server: text } };
    }
    if (field === 'certifications') return { target: 'f-certifications', label: fieldLabel(field), message: { server: detail } };
    if (document.getElementById(`f-${field}`)) return { target: `f-${field}`, label: fieldLabel(field), message: { server: detail } };
    return { target: null, label: field, message: { server: detail } };
  }

  clearErrors() {
    this.errors = [];
    this.renderErrors(false);
  }

  messageText(message) {
    if (message.server !== undefined) return serverMessage(message.server);
    const values = {};
    for (const [k, v] of Object.entries(message.values || {})) {
      values[k] = typeof v === 'number' ? formatNumber(v) : v;
    }
    if (message.label) values.label = fieldLabel(message.label);
    return t(message.key, values);
  }

  // Marks every control in error (aria-invalid, error text in aria-describedby), fills the
  // summary with links to them, and with `focus` moves focus to the first one.
  renderErrors(focus) {
    for (const el of this.form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    for (const el of this.form.querySelectorAll('.field-error')) {
      el.hidden = true;
      el.textContent = '';
    }
    for (const el of this.form.querySelectorAll('[data-described-base]')) {
      const base = el.dataset.describedBase;
      if (base) el.setAttribute('aria-describedby', base);
      else el.removeAttribute('aria-describedby');
      delete el.dataset.describedBase;
    }
    for (const el of this.form.querySelectorAll('.has-error')) el.classList.remove('has-error');
    const summary = clear(this.summary);
    if (this.errors.length === 0) {
      summary.hidden = true;
      return;
    }
    const items = [];
    let first = null;
    for (const error of this.errors) {
      const text = this.messageText(error.message);
      const target = error.target ? document.getElementById(error.target) : null;
      if (target) {
        const errorEl = document.getElementById(`${error.target}-error`);
        if (errorEl) {
          errorEl.hidden = false;
          errorEl.textContent = errorEl.textContent ? `${errorEl.textContent}; ${text}` : text;
        }
        // A group (fieldset) in error: mark its first control.
        const control = target.matches('input,select') ? target : target.querySelector('input,select');
        const marked = [target, control].filter(Boolean);
        for (const el of new Set(marked)) {
          if (!el.matches('input,select,fieldset')) continue;
          if (el.matches('input,select')) el.setAttribute('aria-invalid', 'true');
          if (!('describedBase' in el.dataset)) el.dataset.describedBase = el.getAttribute('aria-describedby') || '';
          const ids = new Set((el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean));
          if (errorEl) ids.add(errorEl.id);
          el.setAttribute('aria-describedby', [...ids].join(' '));
        }
        target.closest('.field, fieldset')?.classList.add('has-error');
        first ??= control || target;
        items.push(h('li', null, h('a', {
          href: `#${error.target}`,
          onclick: (ev) => {
            ev.preventDefault();
            (control || target).focus();
          },
        }, `${error.label}: ${text}`)));
      } else {
        items.push(h('li', null, `${error.label}: ${text}`));
      }
    }
    summary.append(
      h('h2', null, t(this.errorsFromServer ? 'err.summary_server' : 'err.summary', { n: this.errors.length })),
      h('ul', null, items));
    summary.hidden = false;
    if (focus) (first || summary).focus();
  }
}
