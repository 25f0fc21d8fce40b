// The enterprise profile as the page knows it: one list of fields (docs/enterprise.schema.json)
// that builds the form, checks values in the browser, turns CSV cells into JSON, and maps the
// service's JSON pointers back to a form field or a CSV column.
//
// The browser checks what the JSON schema says (required, whole numbers, ranges, the 13-digit
// shape of the identifier, text length). Everything else (the identifier's check digit, unknown
// codes in a CSV file, ...) is the service's decision: its problem+json errors come back with a
// JSON pointer and are shown at the same field.

import { lang } from './i18n.js';

export const NEED_DIMENSIONS = ['entrepreneurship', 'marketing', 'product_innovation',
  'finance_legal', 'digital'];

export const CODES = {
  legal_form: ['juristic_person', 'community_enterprise', 'individual', 'farmer_group',
    'otop_producer'],
  sector: ['manufacturing', 'trade_services'],
  industry: ['food', 'beverage', 'coffee_tea', 'herbs', 'agro_processing', 'souvenir_craft',
    'textile', 'furniture_wood', 'cosmetics', 'metal_machinery', 'auto_parts', 'electronics',
    'plastics_chemicals', 'retail_wholesale', 'tourism_hospitality', 'digital_services',
    'other_services'],
  certifications: ['fda', 'gmp', 'haccp', 'tisi', 'tcps', 'halal'],
};

// kind: text | identifier | code | province | int | number | level | bool | certs
export const FIELDS = [
  { name: 'id', kind: 'text', required: true, section: 'identity' },
  { name: 'name', kind: 'text', required: true, section: 'identity' },
  { name: 'identifier', kind: 'identifier', section: 'identity' },
  { name: 'legal_form', kind: 'code', section: 'identity' },
  { name: 'sector', kind: 'code', section: 'identity' },
  { name: 'industry', kind: 'code', section: 'identity' },
  { name: 'province', kind: 'province', section: 'identity' },
  { name: 'employees', kind: 'int', min: 0, max: 10000000, section: 'size' },
  { name: 'annual_revenue_thb', kind: 'number', min: 0, max: 1e13, section: 'size' },
  { name: 'years_operating', kind: 'number', min: 0, max: 300, section: 'size' },
  { name: 'members', kind: 'int', min: 0, max: 10000000, section: 'size' },
  { name: 'certifications', kind: 'certs', section: 'products' },
  { name: 'otop_stars', kind: 'level', min: 0, max: 5, none: 'select.not_rated',
    section: 'products' },
  { name: 'digital_readiness', kind: 'level', min: 0, max: 5, none: 'select.unknown',
    section: 'products' },
  { name: 'own_farm_produce', kind: 'bool', section: 'products' },
  { name: 'vat_registered', kind: 'bool', section: 'products' },
  { name: 'gs1_barcode', kind: 'bool', section: 'products' },
  { name: 'monthly_capacity_units', kind: 'int', min: 0, max: 1e12, section: 'products' },
  { name: 'shelf_life_days', kind: 'int', min: 0, max: 36500, section: 'products' },
];

export const PARTICIPATION_KEYS = [
  { name: 'program', kind: 'text', required: true, maxChars: 32 },
  { name: 'fiscal_year', kind: 'int', required: true, min: 2000, max: 2200 },
  { name: 'man_days_used', kind: 'int', min: 0, max: 366 },
];

export const FIELD_BY_NAME = Object.fromEntries(FIELDS.map((f) => [f.name, f]));

// The CSV columns the service reads (docs/enterprise-profile.md#csv-format).
export const CSV_COLUMNS = [...FIELDS.map((f) => f.name).filter((n) => n !== 'certifications'),
  'certifications', ...NEED_DIMENSIONS.map((d) => `need_${d}`), 'participation'];

const utf8 = new TextEncoder();

// Parses a whole number as an officer types it or Excel writes it: thousands commas are removed
// and "12.0" is 12, as in the service's CSV reader ("12.5" is not whole). NaN if it is not one.
export function parseWhole(text) {
  const s = text.replace(/,/g, '');
  return /^[+-]?\d+(\.0*)?$/.test(s) ? Number(s) : NaN;
}

export function parseDecimal(text) {
  const s = text.replace(/,/g, '');
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : NaN;
}

// Checks one typed value (a string, already trimmed) of a field spec. Returns
// {value} (value undefined = absent) or {error: {key, values}} for i18n.
export function checkValue(spec, raw) {
  if (raw === '' || raw == null) {
    return spec.required ? { error: { key: 'err.required', label: spec.name } } : { value: undefined };
  }
  switch (spec.kind) {
    case 'text':
      if (utf8.encode(raw).length > 1024 || (spec.maxChars && [...raw].length > spec.maxChars)) {
        return { error: { key: 'err.bytes' } };
      }
      return { value: raw };
    case 'identifier':
      if (raw.length !== 13) return { error: { key: 'err.id_length', values: { n: [...raw].length } } };
      if (!/^\d{13}$/.test(raw)) return { error: { key: 'err.id_digits' } };
      if (raw[0] === '9') return { error: { key: 'err.id_nine' } };
      return { value: raw };
    case 'int':
    case 'level': {
      const v = parseWhole(raw);
      if (!Number.isSafeInteger(v) || v < spec.min || v > spec.max) {
        return { error: { key: 'err.int', values: { min: spec.min, max: spec.max } } };
      }
      return { value: v };
    }
    case 'number': {
      const v = parseDecimal(raw);
      if (!Number.isFinite(v) || v < spec.min || v > spec.max) {
        return { error: { key: 'err.number', values: { min: spec.min, max: spec.max } } };
      }
      return { value: v };
    }
    case 'bool':
      return { value: raw === 'true' };
    default:
      return { value: raw };
  }
}

// ---- CSV record → profile ----------------------------------------------------------------

const YES = new Set(['true', 'yes', '1', 'ใช่', 'มี']);
const NO = new Set(['false', 'no', '0', 'ไม่ใช่', 'ไม่มี']);

// Checks a CSV header. Returns [] or the problems, each naming the column, in the CLI's words.
export function checkCsvHeader(header) {
  const problems = [];
  const seen = new Set();
  for (const name of header) {
    if (!CSV_COLUMNS.includes(name)) problems.push(`${name}: unknown column`);
    else if (seen.has(name)) problems.push(`${name}: column appears twice`);
    seen.add(name);
  }
  for (const required of ['id', 'name']) {
    if (!seen.has(required)) problems.push(`${required}: required column missing`);
  }
  return problems;
}

// Turns one CSV record into a profile object. Only the CSV syntax is checked here (a number
// that is not one, a yes/no that is neither, a participation entry that cannot be split); values
// go to the service as read, and it checks them. Returns {profile} or {errors: [{column, detail}]}.
export function csvRecordToProfile(header, cells) {
  if (cells.length !== header.length) {
    return { errors: [{ column: '', detail: `has ${cells.length} cells, the header has ${header.length}` }] };
  }
  const profile = {};
  const errors = [];
  let needs = null;
  header.forEach((column, i) => {
    const raw = cells[i];
    if (raw === '') return;
    if (column.startsWith('need_')) {
      const v = parseWhole(raw);
      if (Number.isNaN(v)) errors.push({ column, detail: `expected a whole number from 0 to 5, got "${raw}"` });
      else (needs ??= {})[column.slice(5)] = v;
      return;
    }
    if (column === 'certifications') {
      profile.certifications = raw.split(';').map((s) => s.trim()).filter((s) => s !== '');
      return;
    }
    if (column === 'participation') {
      const entries = [];
      for (const part of raw.split(';').map((s) => s.trim()).filter((s) => s !== '')) {
        const m = /^([^/]+)\/(\d+)(?:\/(\d+))?$/.exec(part);
        if (!m) {
          errors.push({ column, detail: `expected entries PROGRAM/FISCAL_YEAR[/MAN_DAYS] separated by ';', got "${raw}"` });
          return;
        }
        const entry = { program: m[1].trim(), fiscal_year: Number(m[2]) };
        if (m[3] !== undefined) entry.man_days_used = Number(m[3]);
        entries.push(entry);
      }
      profile.participation = entries;
      return;
    }
    const spec = FIELD_BY_NAME[column];
    switch (spec.kind) {
      case 'int':
      case 'level': {
        const v = parseWhole(raw);
        if (Number.isNaN(v)) errors.push({ column, detail: `expected a whole number, got "${raw}"` });
        else profile[column] = v;
        break;
      }
      case 'number': {
        const v = parseDecimal(raw);
        if (Number.isNaN(v)) errors.push({ column, detail: `expected a number, got "${raw}"` });
        else profile[column] = v;
        break;
      }
      case 'bool': {
        const low = raw.toLowerCase();
        if (YES.has(low)) profile[column] = true;
        else if (NO.has(low)) profile[column] = false;
        else errors.push({ column, detail: `expected true or false, got "${raw}"` });
        break;
      }
      default:
        profile[column] = raw;
    }
  });
  if (needs) profile.needs = needs;
  return errors.length ? { errors } : { profile };
}

// Names the CSV column of a pointer into one profile: "/needs/marketing" → "need_marketing",
// "/participation/1/fiscal_year" → "participation".
export function pointerToColumn(segments) {
  if (segments.length === 0) return '';
  if (segments[0] === 'needs' && segments[1]) return `need_${segments[1]}`;
  return segments[0];
}

// Splits a JSON pointer (RFC 6901) into its unescaped segments.
export function pointerSegments(pointer) {
  if (!pointer || pointer === '/') return [];
  return pointer.replace(/^\//, '').split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

// ---- The service's messages in Thai ------------------------------------------------------

const SERVER_MESSAGES_TH = [
  [/^required$/, () => 'ต้องกรอก'],
  [/^must not be empty$/, () => 'ต้องไม่เว้นว่าง'],
  [/^unknown field/, () => 'ไม่รู้จักช่องนี้'],
  [/^check digit is (\d), expected (\d)$/,
    (m) => `เลขหลักสุดท้าย (เลขตรวจสอบ) เป็น ${m[1]} แต่ควรเป็น ${m[2]} ตรวจเลขอีกครั้ง`],
  [/^expected 13 digits, got (\d+) characters$/, (m) => `ต้องเป็นตัวเลข 13 หลัก แต่มี ${m[1]} ตัวอักษร`],
  [/^expected 13 digits, found '(.*)'$/, (m) => `ใส่ได้เฉพาะตัวเลข พบ '${m[1]}'`],
  [/^expected a string of 13 digits/, () => 'ต้องเป็นข้อความตัวเลข 13 หลัก (ถ้าเป็นตัวเลข เลข 0 ข้างหน้าจะหายไป)'],
  [/^no Thai identifier starts with 9$/, () => 'ไม่มีเลขประจำตัวของไทยที่ขึ้นต้นด้วย 9'],
  [/^unknown province code "([^"]*)"/, (m) => `ไม่พบรหัสจังหวัด "${m[1]}" (ต้องเป็นรหัส ISO 3166-2:TH เช่น "TH-50")`],
  [/^unknown value "(.*)"; expected one of: (.*)$/, (m) => `ไม่รู้จักค่า "${m[1]}" ค่าที่ใช้ได้: ${m[2]}`],
  [/^unknown certification "(.*)"; expected one of: (.*)$/, (m) => `ไม่รู้จักมาตรฐาน "${m[1]}" ค่าที่ใช้ได้: ${m[2]}`],
  [/^unknown mentoring dimension/, () => 'ไม่รู้จักด้านการพัฒนานี้'],
  [/^expected a whole number, got "(.*)"$/, (m) => `ต้องเป็นจำนวนเต็ม แต่ได้ "${m[1]}"`],
  [/^expected a number, got "(.*)"$/, (m) => `ต้องเป็นตัวเลข แต่ได้ "${m[1]}"`],
  [/^expected a whole number from 0 to 5/, () => 'ต้องเป็นจำนวนเต็ม 0 ถึง 5'],
  [/^expected true or false/, () => 'ต้องเป็น ใช่ หรือ ไม่ใช่ (true/false)'],
  [/^expected (?:persons|stars|a whole number|a number)? ?from (\S+) to (\S+), got (\S+)$/,
    (m) => `ต้องอยู่ระหว่าง ${m[1]} ถึง ${m[2]} แต่ได้ ${m[3]}`],
  [/fiscal_year: expected a Gregorian year from 2000 to 2200, got (\d+)/,
    (m) => `ปีงบประมาณต้องเป็นปี ค.ศ. 2000–2200 แต่ได้ ${m[1]} (ถ้าเป็นปี พ.ศ. ให้ลบ 543)`],
  [/^expected entries PROGRAM\/FISCAL_YEAR/, () => 'ต้องเขียนเป็น โครงการ/ปีงบประมาณ[/วันทำการ] คั่นด้วย ; เช่น BSC/2026/2'],
  [/^has (\d+) cells, the header has (\d+)$/, (m) => `มี ${m[1]} ช่อง แต่หัวตารางมี ${m[2]} ช่อง`],
  [/^longer than 1024 bytes/, () => 'ยาวเกิน 1,024 ไบต์ (ประมาณ 340 ตัวอักษรไทย)'],
];

// Returns the service's error text in the page's language: a known message in Thai, anything
// else as the service wrote it.
export function serverMessage(detail) {
  const text = String(detail ?? '');
  if (lang() !== 'th') return text;
  for (const [re, fn] of SERVER_MESSAGES_TH) {
    const m = re.exec(text);
    if (m) return fn(m);
  }
  return text;
}
