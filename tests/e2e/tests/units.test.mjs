// Unit tests of the page's browser-independent modules (server/web/csv.js, fields.js) in node:
// CSV reading and writing and the conversion of CSV cells to a profile, which must follow the
// service's CSV reader (docs/enterprise-profile.md#csv-format). No browser, no server.
// The page's files are plain ES modules named *.js; node reads them as modules from a copy in a
// folder whose package.json says "type": "module".

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../server/web');
let dir;
let csv;
let fields;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'smematch-web-units-'));
  cpSync(WEB, dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{"type": "module"}\n');
  csv = await import(pathToFileURL(path.join(dir, 'csv.js')));
  fields = await import(pathToFileURL(path.join(dir, 'fields.js')));
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('parseCsv: quotes, commas, line breaks and doubled quotes inside cells; CRLF; record numbers', () => {
  const text = 'id,name\r\nA-1,"บริษัท ""ดอยคำ"" จำกัด"\r\n\r\nA-2,"สอง\nบรรทัด, มีจุลภาค"\nA-3,  ตัดช่องว่าง  \n';
  const records = csv.parseCsv(text);
  assert.deepEqual(records.map((r) => r.record), [1, 2, 3, 4], 'blank lines are not records');
  assert.deepEqual(records[1].cells, ['A-1', 'บริษัท "ดอยคำ" จำกัด']);
  assert.deepEqual(records[2].cells, ['A-2', 'สอง\nบรรทัด, มีจุลภาค']);
  assert.deepEqual(records[3].cells, ['A-3', 'ตัดช่องว่าง'], 'spaces around an unquoted cell are ignored');
  assert.deepEqual(csv.parseCsv('a,,c\n')[0].cells, ['a', '', 'c'], 'an empty cell stays');
});

test('parseCsv: a stray or unclosed quote stops the file at its record number', () => {
  assert.throws(() => csv.parseCsv('id,name\nA-1,ab"c\n'),
    (e) => e instanceof csv.CsvError && e.record === 2 && /doubled/.test(e.message));
  assert.throws(() => csv.parseCsv('id,name\nA-1,ok\nA-2,"open\n'),
    (e) => e instanceof csv.CsvError && e.record === 3 && /not closed/.test(e.message));
  assert.throws(() => csv.parseCsv('id,name\n"A-1"x,ok\n'), (e) => e.record === 2);
});

test('toCsv: UTF-8 BOM, CRLF, RFC 4180 quoting, formulas neutralised', () => {
  const out = csv.toCsv([['a', 'b'], ['ร้าน, ป้าแดง', 'say "hi"'], ['=SUM(A1)', '-5'], ['@x', 'ok']]);
  assert.equal(out[0], '\uFEFF');
  assert.equal(out, '\uFEFFa,b\r\n"ร้าน, ป้าแดง","say ""hi"""\r\n"\'=SUM(A1)","\'-5"\r\n"\'@x",ok\r\n');
  const bytes = Buffer.from(out, 'utf8');
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
});

test('decodeCsvBytes: UTF-8 with or without BOM; Windows-874 with a warning otherwise', () => {
  const utf8 = new TextEncoder().encode('\uFEFFid,name\nA,ร้าน\n');
  const a = csv.decodeCsvBytes(utf8);
  assert.equal(a.fallback, false);
  assert.equal(a.text, 'id,name\nA,ร้าน\n', 'the BOM is dropped');
  // "ร้าน" in TIS-620 / Windows-874: U+0E01..U+0E5B map to 0xA1..0xFB.
  const tis = Buffer.from([...Buffer.from('id,name\nA,'), ...[0x0e23, 0x0e49, 0x0e32, 0x0e19].map((c) => c - 0x0e00 + 0xa0), 0x0a]);
  const b = csv.decodeCsvBytes(tis);
  assert.equal(b.fallback, true);
  assert.equal(b.text, 'id,name\nA,ร้าน\n');
});

test('checkCsvHeader names every unknown, repeated or missing column', () => {
  assert.deepEqual(fields.checkCsvHeader(['id', 'name', 'province', 'need_digital', 'participation']), []);
  assert.deepEqual(fields.checkCsvHeader(['id', 'employes', 'id']),
    ['employes: unknown column', 'id: column appears twice', 'name: required column missing']);
  assert.deepEqual(fields.checkCsvHeader(['id', 'name', 'needs']), ['needs: unknown column']);
});

test('csvRecordToProfile: cell formats as the service reads them', () => {
  const header = ['id', 'name', 'employees', 'annual_revenue_thb', 'vat_registered', 'own_farm_produce',
    'certifications', 'need_marketing', 'need_digital', 'participation', 'province', 'members'];
  const { profile, errors } = fields.csvRecordToProfile(header,
    ['A-1', 'ร้าน', '1,250', '12,500,000', 'ใช่', 'FALSE', 'fda; tcps', '4', '', 'BSC/2026/2;ITC/2025', 'TH-50', '12.0']);
  assert.equal(errors, undefined);
  assert.deepEqual(profile, {
    id: 'A-1', name: 'ร้าน', employees: 1250, annual_revenue_thb: 12500000, vat_registered: true,
    own_farm_produce: false, certifications: ['fda', 'tcps'], needs: { marketing: 4 },
    participation: [{ program: 'BSC', fiscal_year: 2026, man_days_used: 2 }, { program: 'ITC', fiscal_year: 2025 }],
    province: 'TH-50', members: 12,
  });
  // Empty cells are absent; no need cell filled in means no `needs`.
  assert.deepEqual(fields.csvRecordToProfile(['id', 'name', 'need_digital', 'employees'], ['B', 'ข', '', '']).profile,
    { id: 'B', name: 'ข' });
});

test('csvRecordToProfile: every bad cell named by its column; a short record by its cell count', () => {
  const { errors } = fields.csvRecordToProfile(['id', 'name', 'employees', 'gs1_barcode', 'participation', 'years_operating'],
    ['C', 'ค', '12 คน', 'maybe', 'BSC-2026', '1.5.2']);
  assert.deepEqual(errors.map((e) => e.column), ['employees', 'gs1_barcode', 'participation', 'years_operating']);
  assert.match(errors[0].detail, /"12 คน"/);
  assert.match(fields.csvRecordToProfile(['id', 'name', 'employees'], ['D', 'ง', '12.5']).errors[0].detail,
    /whole number/);
  assert.deepEqual(fields.csvRecordToProfile(['id', 'name'], ['E']).errors,
    [{ column: '', detail: 'has 1 cells, the header has 2' }]);
});

test('checkValue: the form checks what the JSON schema says', () => {
  const spec = (name) => fields.FIELD_BY_NAME[name];
  assert.deepEqual(fields.checkValue(spec('name'), ''), { error: { key: 'err.required', label: 'name' } });
  assert.deepEqual(fields.checkValue(spec('employees'), '12,000'), { value: 12000 });
  assert.equal(fields.checkValue(spec('employees'), '-1').error.key, 'err.int');
  assert.equal(fields.checkValue(spec('years_operating'), '1.5').value, 1.5);
  assert.equal(fields.checkValue(spec('identifier'), '050555800412').error.key, 'err.id_length');
  assert.equal(fields.checkValue(spec('identifier'), '05055580041x2').error.key, 'err.id_digits');
  assert.equal(fields.checkValue(spec('identifier'), '9505558004121').error.key, 'err.id_nine');
  // The check digit is the service's decision (its message comes back at the field).
  assert.deepEqual(fields.checkValue(spec('identifier'), '0505560007292'), { value: '0505560007292' });
});

test('pointers: JSON pointers to CSV columns; the service\'s messages in Thai', () => {
  assert.deepEqual(fields.pointerSegments('/enterprise/a~1b/c~0d'), ['enterprise', 'a/b', 'c~d']);
  assert.equal(fields.pointerToColumn(['needs', 'marketing']), 'need_marketing');
  assert.equal(fields.pointerToColumn(['participation', '1', 'fiscal_year']), 'participation');
  assert.equal(fields.serverMessage('check digit is 2, expected 9'),
    'เลขหลักสุดท้าย (เลขตรวจสอบ) เป็น 2 แต่ควรเป็น 9 ตรวจเลขอีกครั้ง');
  assert.equal(fields.serverMessage('unknown province code "TH-99"; expected ISO 3166-2:TH such as "TH-50"'),
    'ไม่พบรหัสจังหวัด "TH-99" (ต้องเป็นรหัส ISO 3166-2:TH เช่น "TH-50")');
  assert.equal(fields.serverMessage('something new'), 'something new', 'unknown messages as written');
});
