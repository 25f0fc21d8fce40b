// End-to-end tests of the officer page served by `smematch serve` (issue 6), in Debian's
// chromium driven by playwright-core. Started by tests/e2e/run.sh, which sets SMEMATCH_URL (the
// running server), SMEMATCH_BIN (the same smematch binary, used to compute the expected
// decisions with the CLI), SMEMATCH_REPO and SMEMATCH_SCREENSHOTS.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.SMEMATCH_URL;
const BIN = process.env.SMEMATCH_BIN;
const REPO = process.env.SMEMATCH_REPO;
const SHOTS = process.env.SMEMATCH_SCREENSHOTS;
const CHROMIUM = process.env.SMEMATCH_CHROMIUM || '/usr/bin/chromium';
const AS_OF = '2026-03-01';
const DEMO_CSV = path.join(REPO, 'data/demo/enterprises.csv');
const TIMEOUT = 20000;

assert.ok(BASE && BIN && REPO && SHOTS, 'run through tests/e2e/run.sh');
mkdirSync(SHOTS, { recursive: true });

// The demo profiles by id (the file has one deliberately malformed line).
const DEMO = new Map();
for (const line of readFileSync(path.join(REPO, 'data/demo/enterprises.jsonl'), 'utf8').split('\n')) {
  try {
    const p = JSON.parse(line);
    if (p && p.id) DEMO.set(p.id, p);
  } catch {
    // the malformed demo line
  }
}

// What the CLI decides for `profile` on AS_OF: {program: outcome}.
function cliOutcomes(profile) {
  const out = execFileSync(BIN, ['screen', '-', '--rules', path.join(REPO, 'rules'), '--as-of', AS_OF,
    '--compact', '-q'], { input: `${JSON.stringify(profile)}\n`, encoding: 'utf8' });
  const line = JSON.parse(out.trim().split('\n')[0]);
  return Object.fromEntries(line.decisions.map((d) => [d.program, d.outcome]));
}

let browser;
const STATUS_TEXT = { 400: 'Bad Request', 404: 'Not Found', 422: 'Unprocessable Entity', 501: 'Not Implemented' };

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
  });
});

after(async () => {
  await browser?.close();
});

// A fresh page (own storage, so the language starts Thai) at `hash`, with the shared data loaded.
async function openPage(hash = '#/screen', options = {}) {
  const context = await browser.newContext({
    viewport: options.viewport || { width: 1100, height: 900 },
    locale: 'th-TH',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  if (options.before) await options.before(page);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // No external URLs: every request the page makes stays on the service (offline offices).
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(`${BASE}/`) && !url.startsWith('blob:') && !url.startsWith('data:')) {
      problems.push(`external request: ${url}`);
    }
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}${m.location()?.url ? ` [${m.location().url}]` : ''}`);
  });
  await page.goto(`${BASE}/${hash}`);
  await page.waitForSelector('body[data-ready="true"]');
  page.problems = problems;
  return page;
}

// `expectedStatuses`: HTTP error statuses the test provoked on purpose; chromium logs each failed
// fetch as a console error, which is not a problem of the page then.
async function closePage(page, { expectedStatuses = [] } = {}) {
  const expected = (p) => expectedStatuses.some((status) =>
    p.startsWith(`console: Failed to load resource: the server responded with a status of ${status} (${STATUS_TEXT[status]})`));
  assert.deepEqual(page.problems.filter((p) => !expected(p)), [], 'no script errors or CSP violations in the page');
  await page.context().close();
}

// Types a profile into the form the way an officer would.
async function fillProfile(page, profile) {
  for (const name of ['id', 'name', 'identifier', 'employees', 'annual_revenue_thb', 'years_operating',
    'members', 'monthly_capacity_units', 'shelf_life_days']) {
    if (profile[name] != null) await page.fill(`#f-${name}`, String(profile[name]));
  }
  for (const name of ['legal_form', 'sector', 'industry', 'province', 'otop_stars', 'digital_readiness',
    'own_farm_produce', 'vat_registered', 'gs1_barcode']) {
    if (profile[name] != null) await page.selectOption(`#f-${name}`, String(profile[name]));
  }
  for (const c of profile.certifications || []) await page.check(`#f-cert-${c}`);
  for (const [d, v] of Object.entries(profile.needs || {})) await page.selectOption(`#f-need_${d}`, String(v));
  for (const [i, p] of (profile.participation || []).entries()) {
    await page.click('#f-participation-add');
    await page.fill(`#f-participation-${i}-program`, p.program);
    await page.fill(`#f-participation-${i}-fiscal_year`, String(p.fiscal_year));
    if (p.man_days_used != null) await page.fill(`#f-participation-${i}-man_days_used`, String(p.man_days_used));
  }
  await page.fill('#f-as_of', AS_OF);
}

async function submitAndWaitForResult(page) {
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/v1/screen') && r.request().method() === 'POST'),
    page.click('#profile-form button[type=submit]'),
  ]);
  await page.waitForSelector('#view-result:not([hidden]) .program-result');
}

// {program: outcome text} as the result view shows it.
async function shownOutcomes(page) {
  return page.$$eval('.program-result', (cards) => Object.fromEntries(cards.map((c) => [
    c.dataset.program, c.querySelector('.outcome-text').textContent.trim()])));
}

const TH_OUTCOME = {
  eligible: 'มีสิทธิ์', ineligible: 'ไม่มีสิทธิ์', needs_information: 'ต้องการข้อมูลเพิ่มเติม', error: 'ประมวลผลเกณฑ์ไม่สำเร็จ',
};

describe('one enterprise from the form', () => {
  test('an eligible applicant (CM-002): outcomes, reasons, score, group, benefit, decision id', async () => {
    const profile = DEMO.get('CM-002');
    const expected = cliOutcomes(profile);
    assert.equal(expected.STAR_SME, 'eligible');
    const page = await openPage();
    assert.equal(await page.getAttribute('html', 'lang'), 'th');
    await fillProfile(page, profile);
    await page.evaluate(() => document.activeElement?.blur());
    await page.screenshot({ path: path.join(SHOTS, 'form.png'), fullPage: true });
    await submitAndWaitForResult(page);

    const shown = await shownOutcomes(page);
    assert.deepEqual(shown, Object.fromEntries(Object.entries(expected).map(([p, o]) => [p, TH_OUTCOME[o]])));
    const star = page.locator('.program-result[data-program="STAR_SME"]');
    assert.match(await star.locator('.score').textContent(), /^\d+$/);
    assert.ok((await star.locator('.group-label').textContent()).startsWith('กลุ่ม'), 'STAR SME group in Thai');
    assert.match(await star.locator('.benefit').textContent(), /พี่เลี้ยงธุรกิจ/);
    // Every criterion is listed with a Thai reason.
    const reasons = await star.locator('.crit-reason').allTextContents();
    assert.ok(reasons.length >= 4, 'criteria listed');
    for (const r of reasons) assert.match(r, /[\u0E00-\u0E7F]/, `Thai reason: ${r}`);

    // The decision id and rule set can be cited: the service finds the stored decision.
    const decisionId = (await page.textContent('#decision-id')).trim();
    assert.ok(decisionId.length > 0);
    assert.match(await page.textContent('.result-meta .rule-set'), /^sha256:[0-9a-f]{64}$/);
    const stored = await page.request.get(`${BASE}/v1/decisions/${encodeURIComponent(decisionId)}`);
    assert.equal(stored.status(), 200);
    assert.equal((await stored.json()).decision_id, decisionId);

    // Mentor and channel sections only when the service offers matching (no invented data).
    const openapi = await (await page.request.get(`${BASE}/v1/openapi.json`)).json();
    const matching = Object.entries(openapi.paths || {})
      .some(([p, item]) => p.startsWith('/v1/match/') && item.post?.responses?.['200']);
    assert.ok(matching, 'the service documents the matching endpoints');
    await page.waitForSelector('section.matching .matching-channels');
    assert.equal(await page.locator('section.matching').count(), 1);

    await page.screenshot({ path: path.join(SHOTS, 'result.png'), fullPage: true });

    // Printable: the menu, form and buttons are left out of the printed page, the result stays.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.isVisible('.site-nav'), false);
    assert.equal(await page.isVisible('#print-result'), false);
    assert.equal(await page.isVisible('.program-result[data-program="STAR_SME"]'), true);
    assert.equal(await page.isVisible('.result-meta .print-only'), true);
    await page.emulateMedia({ media: 'screen' });

    // Back to the form keeps what was typed.
    await page.click('#edit-profile');
    assert.equal(await page.inputValue('#f-id'), 'CM-002');
    assert.equal(await page.inputValue('#f-province'), 'TH-50');
    await closePage(page);
  });

  test('an ineligible applicant (CM-007, a large firm): every program says why', async () => {
    const profile = DEMO.get('CM-007');
    const expected = cliOutcomes(profile);
    assert.ok(Object.values(expected).every((o) => o === 'ineligible'));
    const page = await openPage();
    await fillProfile(page, profile);
    await submitAndWaitForResult(page);
    const shown = await shownOutcomes(page);
    assert.deepEqual(Object.keys(shown).sort(), Object.keys(expected).sort());
    for (const text of Object.values(shown)) assert.equal(text, 'ไม่มีสิทธิ์');
    assert.equal((await page.textContent('#result-overview')).trim(), 'มีสิทธิ์ 0 จาก 4 โครงการ');
    // The failed criterion of BSC is the SME size, with the figures in Thai.
    const failed = await page.locator('.program-result[data-program="BSC"] .criterion-fail .crit-reason').allTextContents();
    assert.equal(failed.length, 1);
    assert.match(failed[0], /ขนาดใหญ่.*850,000,000/);
    await closePage(page);
  });

  test('a profile with only id and name: needs information, missing fields named in Thai', async () => {
    const page = await openPage();
    await page.fill('#f-id', 'E2E-MIN');
    await page.fill('#f-name', 'ร้านป้าแดง');
    await submitAndWaitForResult(page);
    const shown = await shownOutcomes(page);
    for (const text of Object.values(shown)) assert.equal(text, 'ต้องการข้อมูลเพิ่มเติม');
    const missing = await page.locator('.program-result[data-program="BSC"] .missing li').allTextContents();
    assert.ok(missing.some((m) => m.includes('ภาคธุรกิจ') && m.includes('(sector)')), missing.join(' | '));
    await closePage(page);
  });
});

describe('mentor and channel matching', () => {
  // What `smematch match` answers for one profile on the demo registries (the server runs with
  // the same registries and rules, tests/e2e/run.sh).
  function cliMatch(kind, profile) {
    const dir = mkdtempSync(path.join(tmpdir(), 'smematch-e2e-match-'));
    try {
      const input = path.join(dir, 'one.jsonl');
      writeFileSync(input, `${JSON.stringify(profile)}\n`);
      const out = execFileSync(BIN, ['match', kind, input, `--${kind}`, path.join(REPO, `data/demo/${kind}.json`),
        '--rules', path.join(REPO, 'rules'), '--format', 'json', '-q'], { encoding: 'utf8' });
      return JSON.parse(out);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  test('CM-002: the suggested mentor with score breakdown and reason, channels with gaps, in both languages', async () => {
    const profile = DEMO.get('CM-002');
    const mentors = cliMatch('mentors', profile).matches[0];
    const channels = cliMatch('channels', profile).enterprises[0].channels;
    assert.ok(mentors.mentor_id, 'the demo data gives CM-002 a mentor');
    const page = await openPage();
    await fillProfile(page, profile);
    await submitAndWaitForResult(page);
    await page.waitForSelector('section.matching .matching-mentors .mentor-chosen');
    await page.waitForSelector('section.matching .matching-channels');
    const chosen = await page.textContent('.matching-mentors .mentor-chosen');
    assert.ok(chosen.includes(mentors.mentor_name) && chosen.includes(mentors.mentor_id), chosen);
    assert.ok(chosen.includes(String(mentors.score)), chosen);
    const parts = await page.locator('.matching-mentors .fit-parts li').allTextContents();
    assert.deepEqual(parts, mentors.parts.map((p) => `${p.th}: ${p.score}`));
    assert.equal((await page.textContent('.matching-mentors .mentor-reason')).trim(), mentors.reason.th);
    const alternatives = await page.locator('.matching-mentors .mentor-alternatives li').allTextContents();
    assert.equal(alternatives.length, mentors.alternatives.filter((a) => a.mentor_id !== mentors.mentor_id).length);

    const ready = channels.filter((c) => c.readiness === 'ready');
    const notReady = channels.filter((c) => c.readiness === 'not_ready');
    assert.equal(await page.locator('.matching-channels .channels-ready > li').count(), ready.length);
    assert.equal(await page.locator('.matching-channels .channels-not-ready > li').count(), notReady.length);
    const gapTexts = await page.locator('.matching-channels .channels-not-ready .gaps li').allTextContents();
    assert.deepEqual(gapTexts, notReady.flatMap((c) => c.gaps.map((g) => g.th)));
    for (const g of gapTexts) assert.match(g, /[\u0E00-\u0E7F]/, `Thai gap: ${g}`);

    // English: the same answer, the texts from its "en" members, without asking again.
    await page.click('#lang-switch');
    assert.equal((await page.textContent('.matching-mentors .mentor-reason')).trim(), mentors.reason.en);
    assert.deepEqual(await page.locator('.matching-mentors .fit-parts li').allTextContents(),
      mentors.parts.map((p) => `${p.en}: ${p.score}`));
    assert.deepEqual(await page.locator('.matching-channels .channels-not-ready .gaps li').allTextContents(),
      notReady.flatMap((c) => c.gaps.map((g) => g.en)));
    await closePage(page);
  });

  // A service without registries (or an older one) documents the routes but answers 503/501:
  // the page shows no matching section rather than an error.
  test('hidden when the service cannot match', async () => {
    const page = await openPage('#/screen', {
      before: async (p) => {
        await p.route('**/v1/match/*', (route) => route.fulfill({
          status: 503,
          contentType: 'application/problem+json',
          body: JSON.stringify({ type: 'https://smematch.example/problems/matching-unavailable', title: 'Matching is not configured', status: 503, detail: 'no registry', errors: [] }),
        }));
      },
    });
    await fillProfile(page, DEMO.get('CM-002'));
    const answered = Promise.all(['mentors', 'channels'].map((kind) =>
      page.waitForResponse((r) => r.url().endsWith(`/v1/match/${kind}`))));
    await submitAndWaitForResult(page);
    await answered;
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve())));
    assert.equal(await page.locator('section.matching').count(), 0);
    await page.context().close();
  });
});

describe('field errors point at the field', () => {
  test('client side: a bad number and a missing name are marked and the first gets focus', async () => {
    const page = await openPage();
    let requests = 0;
    page.on('request', (r) => {
      if (r.url().includes('/v1/screen')) requests += 1;
    });
    await page.fill('#f-id', 'E2E-1');
    await page.fill('#f-employees', '12 คน');
    await page.click('#profile-form button[type=submit]');
    await page.waitForSelector('#form-errors:not([hidden])');
    assert.equal(requests, 0, 'nothing sent while the form has errors');
    // name comes before employees in the form: it is the first error and has focus.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'f-name');
    assert.equal(await page.getAttribute('#f-name', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#f-employees', 'aria-invalid'), 'true');
    const describedBy = (await page.getAttribute('#f-employees', 'aria-describedby')).split(' ');
    assert.ok(describedBy.includes('f-employees-error'));
    assert.match(await page.textContent('#f-employees-error'), /จำนวนเต็มตั้งแต่ 0 ถึง 10,000,000/);
    assert.match(await page.textContent('#form-errors h2'), /2 รายการ/);
    // The summary links move focus to the field.
    await page.click('#form-errors a[href="#f-employees"]');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'f-employees');
    // Fixing the values clears the marks.
    await page.fill('#f-name', 'ร้านทดสอบ');
    await page.fill('#f-employees', '12');
    await submitAndWaitForResult(page);
    assert.equal(await page.isVisible('#form-errors'), false);
    await closePage(page);
  });

  test('server side: a wrong check digit comes back as a problem+json pointer at the identifier', async () => {
    const profile = DEMO.get('CM-014');  // identifier 0505560007292: check digit is 2, expected 9
    const page = await openPage();
    await fillProfile(page, profile);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/v1/screen')),
      page.click('#profile-form button[type=submit]'),
    ]);
    assert.equal(response.status(), 400);
    assert.match(response.headers()['content-type'], /application\/problem\+json/);
    const problem = await response.json();
    assert.ok(problem.errors.some((e) => e.pointer === '/enterprise/identifier'));
    await page.waitForSelector('#form-errors:not([hidden])');
    assert.equal(await page.isVisible('#view-screen'), true, 'stays on the form');
    assert.equal(await page.getAttribute('#f-identifier', 'aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'f-identifier');
    assert.equal(await page.textContent('#f-identifier-error'),
      'เลขหลักสุดท้าย (เลขตรวจสอบ) เป็น 2 แต่ควรเป็น 9 ตรวจเลขอีกครั้ง');
    await page.screenshot({ path: path.join(SHOTS, 'field-error.png') });
    await closePage(page, { expectedStatuses: [400] });
  });
});

describe('a CSV file', () => {
  test('upload data/demo/enterprises.csv: progress, summary equal to the CLI, per-row errors, download', async () => {
    // The CLI's decisions for the same file and date, to compare the page's counts with.
    const dir = mkdtempSync(path.join(tmpdir(), 'smematch-e2e-'));
    try {
      const cliCsv = path.join(dir, 'cli.csv');
      execFileSync(BIN, ['screen', DEMO_CSV, '--rules', path.join(REPO, 'rules'), '-o', cliCsv, '-q'],
        { encoding: 'utf8' });
      const cliRows = readFileSync(cliCsv, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n').slice(1);
      const expectedEligible = {};
      for (const row of cliRows) {
        const m = /^[^,]*,(?:"[^"]*"|[^,]*),[^,]*,([A-Z_]+),[^,]*,eligible,/.exec(row);
        if (m) expectedEligible[m[1]] = (expectedEligible[m[1]] || 0) + 1;
      }

      const page = await openPage('#/batch');
      await page.setInputFiles('#batch-file', DEMO_CSV);
      await page.click('#batch-start');
      await page.waitForSelector('#batch-counts', { timeout: 60000 });
      assert.match(await page.textContent('#batch-progress-text'), /เสร็จแล้ว: 59 รายการ/);
      assert.equal(await page.getAttribute('#batch-progress', 'value'), '59');
      assert.equal((await page.textContent('#batch-counts')).trim(), 'คัดกรองได้ 53 รายการ ข้อมูลไม่ถูกต้อง 6 รายการ');

      const shownEligible = await page.$$eval('#by-program tbody tr', (rows) => Object.fromEntries(rows.map((r) => [
        r.dataset.program, Number(r.querySelector('.cell-eligible').textContent.replace(/[^\d]/g, ''))])));
      assert.deepEqual(shownEligible, expectedEligible);
      assert.equal(await page.locator('#batch-chart rect.bar-eligible').count() >= 4, true, 'a bar per program');
      assert.ok(await page.locator('#by-province tr[data-province="TH-50"]').count() === 1);

      // The invalid records, by CSV record number and column (docs/enterprise-profile.md).
      const errors = await page.$$eval('#batch-errors tbody tr', (rows) => rows.map((r) => ({
        record: r.dataset.record, field: r.cells[2].textContent, problem: r.cells[3].textContent })));
      assert.equal(new Set(errors.map((e) => e.record)).size, 6);
      assert.ok(errors.some((e) => e.record === '37' && e.field === 'employees' && e.problem.includes('"abc"')),
        JSON.stringify(errors));
      assert.ok(errors.some((e) => e.record === '16' && e.field === 'identifier'), JSON.stringify(errors));
      assert.ok(errors.some((e) => e.record === '42' && e.field === 'participation'), JSON.stringify(errors));
      assert.ok(errors.some((e) => e.record === '41' && e.field === 'province'
        && e.problem === 'ไม่พบรหัสจังหวัด "TH-99" (ต้องเป็นรหัส ISO 3166-2:TH เช่น "TH-50")'), JSON.stringify(errors));

      // The upload, progress, summary, chart and invalid records (the full results table is long).
      const box = await page.locator('#batch-results-heading').boundingBox();
      await page.screenshot({
        path: path.join(SHOTS, 'batch.png'), fullPage: true,
        clip: { x: 0, y: 0, width: 1100, height: Math.ceil(box.y + box.height + 12) },
      });

      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#batch-download')]);
      assert.equal(download.suggestedFilename(), 'enterprises-results.csv');
      const saved = path.join(dir, 'results.csv');
      await download.saveAs(saved);
      const bytes = readFileSync(saved);
      assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte order mark for Excel');
      const text = bytes.toString('utf8').slice(1);
      assert.ok(text.includes('บริษัท ดอยสะเก็ดคอฟฟี่โรสเตอร์ จำกัด'), 'Thai names intact');
      assert.ok(text.includes('มีสิทธิ์'), 'Thai outcome texts');
      const lines = text.split('\r\n').filter((l) => l !== '');
      assert.equal(lines[0], 'record,id,name,province,program,version,outcome,outcome_text,score,group,'
        + 'failed_criteria,missing_fields,reasons,benefit,as_of,rule_set,decision_id');
      assert.equal(lines.length, 1 + 53 * 4 + 6, 'a row per enterprise and program, one per invalid record');
      const eligibleRows = lines.filter((l) => l.includes(',eligible,')).length;
      assert.equal(eligibleRows, Object.values(expectedEligible).reduce((a, b) => a + b, 0));

      // A row's details open the full result view.
      await page.click('#batch-results tbody tr:first-child button');
      await page.waitForSelector('#view-result:not([hidden]) .program-result');
      await closePage(page);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a file with an unknown column is refused as a whole, naming the column', async () => {
    const page = await openPage('#/batch');
    await page.setInputFiles('#batch-file', {
      name: 'bad.csv', mimeType: 'text/csv',
      buffer: Buffer.from('\uFEFFid,name,employes\r\nA-1,ร้านทดสอบ,3\r\n'),
    });
    await page.click('#batch-start');
    await page.waitForSelector('#batch-file-error:not([hidden])');
    assert.match(await page.textContent('#batch-file-error'), /employes: unknown column/);
    assert.equal(await page.getAttribute('#batch-file', 'aria-invalid'), 'true');
    assert.equal(await page.locator('#batch-counts').count(), 0);
    await closePage(page);
  });
});

// Thai text in TIS-620 / Windows-874 (what Excel's plain "CSV" writes on a Thai Windows).
function tis620(text) {
  return Buffer.from([...text].map((ch) => {
    const c = ch.codePointAt(0);
    if (c < 0x80) return c;
    assert.ok(c >= 0x0e01 && c <= 0x0e5b, `not a Thai character: ${ch}`);
    return c - 0x0e00 + 0xa0;
  }));
}

describe('a CSV file that is not UTF-8', () => {
  test('a Windows-874 file is read with a warning, and the Thai names come out right', async () => {
    const page = await openPage('#/batch');
    await page.setInputFiles('#batch-file', {
      name: 'excel-874.csv', mimeType: 'text/csv',
      buffer: tis620('id,name,province,employees\r\nW-1,ร้านทดสอบภาษาไทย,TH-50,3\r\n'),
    });
    await page.click('#batch-start');
    await page.waitForSelector('#batch-counts');
    assert.match(await page.textContent('#batch-notice'), /Windows-874/);
    assert.equal(await page.isVisible('#batch-notice'), true);
    assert.match(await page.textContent('#batch-results tbody'), /ร้านทดสอบภาษาไทย/);
    await closePage(page);
  });
});

describe('programs and language', () => {
  test('the programs page lists every program and criterion of GET /v1/programs', async () => {
    const page = await openPage('#/programs');
    const api = await (await page.request.get(`${BASE}/v1/programs`)).json();
    await page.waitForSelector('#programs .program');
    const ids = await page.$$eval('#programs section.program', (s) => s.map((e) => e.id.replace('program-', '')));
    assert.deepEqual(ids, api.programs.map((p) => p.id));
    for (const p of api.programs) {
      const criteria = await page.$$eval(`#program-${p.id} [data-criterion]`, (li) => li.map((e) => e.dataset.criterion));
      assert.deepEqual(criteria, p.criteria.map((c) => c.id));
    }
    assert.ok(await page.locator('.badge-assumed').count() > 0, 'assumed criteria are marked');
    // The first two programs (the whole page is long).
    const third = await page.locator('#programs section.program').nth(2).boundingBox();
    await page.screenshot({
      path: path.join(SHOTS, 'programs.png'), fullPage: true,
      clip: { x: 0, y: 0, width: 1100, height: Math.ceil(third.y) },
    });
    await closePage(page);
  });

  test('switching to English changes texts and the lang attribute, and persists', async () => {
    const page = await openPage();
    const profile = DEMO.get('CM-007');
    await fillProfile(page, profile);
    await submitAndWaitForResult(page);
    assert.equal(await page.textContent('.program-result[data-program="BSC"] .outcome-text'), 'ไม่มีสิทธิ์');

    await page.click('#lang-switch');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal((await page.textContent('#result-heading')).trim(), 'Screening result');
    assert.equal(await page.textContent('.program-result[data-program="BSC"] .outcome-text'), 'Not eligible');
    const reason = await page.locator('.program-result[data-program="BSC"] .criterion-fail .crit-reason').textContent();
    assert.match(reason, /large enterprise|above the SME bounds/);
    assert.equal((await page.textContent('#lang-switch')).trim(), 'ภาษาไทย');
    await page.screenshot({ path: path.join(SHOTS, 'result-en.png') });

    // Persisted: a reload stays English; the form labels too.
    await page.goto(`${BASE}/#/screen`);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal((await page.textContent('label[for="f-province"]')).trim(), 'province');
    assert.equal((await page.textContent('a[data-view="batch"]')).trim(), 'Screen a file');
    await page.click('#lang-switch');
    assert.equal(await page.getAttribute('html', 'lang'), 'th');
    assert.equal((await page.textContent('label[for="f-province"]')).trim(), 'จังหวัด');
    await closePage(page);
  });
});

describe('accessibility basics', () => {
  test('usable at 360 px: no sideways scrolling on the form, the result or the programs', async () => {
    const page = await openPage('#/screen', { viewport: { width: 360, height: 740 } });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(await overflow() <= 0, 'form fits');
    await fillProfile(page, DEMO.get('CM-002'));
    await submitAndWaitForResult(page);
    assert.ok(await overflow() <= 0, 'result fits');
    assert.equal(await page.evaluate(() => window.scrollY), 0, 'the result opens at its top');
    await page.screenshot({ path: path.join(SHOTS, 'result-360.png'), fullPage: false });
    await page.goto(`${BASE}/#/programs`);
    await page.waitForSelector('#programs .program');
    assert.ok(await overflow() <= 0, 'programs fit (wide tables scroll inside their own box)');
    await page.goto(`${BASE}/#/batch`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.setInputFiles('#batch-file', DEMO_CSV);
    await page.click('#batch-start');
    await page.waitForSelector('#batch-counts', { timeout: 60000 });
    assert.ok(await overflow() <= 0, 'the batch summary, chart and tables fit');
    await page.evaluate(() => document.getElementById('batch-summary-heading').scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: path.join(SHOTS, 'batch-360.png'), fullPage: false });
    await closePage(page);
  });

  test('contrast: every visible text of the result and the form meets WCAG AA (4.5:1)', async () => {
    const page = await openPage();
    // The province picker is filled from GET /v1/provinces.
    const provinces = (await (await page.request.get(`${BASE}/v1/provinces`)).json()).provinces;
    assert.equal(await page.locator('#f-province option').count(), provinces.length + 1);
    await fillProfile(page, DEMO.get('CM-002'));
    await page.click('#profile-form button[type=submit]');
    await page.waitForSelector('#view-result:not([hidden]) .program-result');
    const failures = async () => page.evaluate(() => {
      const rgb = (c) => {
        const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?/.exec(c);
        return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : [0, 0, 0, 0];
      };
      const lum = ([r, g, b]) => {
        const f = (v) => { const x = v / 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      const background = (el) => {
        for (let e = el; e; e = e.parentElement) {
          const c = rgb(getComputedStyle(e).backgroundColor);
          if (c[3] > 0.5) return c;
        }
        return [255, 255, 255, 1];
      };
      const out = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!n.textContent.trim() || !el || el.closest('[hidden], .visually-hidden, svg, option')) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        const fg = rgb(getComputedStyle(el).color);
        const bg = background(el);
        const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
        const ratio = (a + 0.05) / (b + 0.05);
        if (ratio < 4.5) out.push(`${el.tagName}.${el.className} "${n.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
      }
      return out;
    });
    assert.deepEqual(await failures(), [], 'result view');
    await page.click('#edit-profile');
    await page.click('#profile-form button[type=submit]');  // nothing wrong: back to the result
    await page.waitForSelector('#view-result:not([hidden]) .program-result');
    await page.goto(`${BASE}/#/screen`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.fill('#f-employees', 'x');
    await page.click('#profile-form button[type=submit]');
    await page.waitForSelector('#form-errors:not([hidden])');
    assert.deepEqual(await failures(), [], 'form with errors');
    await closePage(page);
  });

  test('keyboard: skip link first, every form control has a label', async () => {
    const page = await openPage();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link');
    const unlabelled = await page.$$eval('#profile-form input, #profile-form select', (els) => els
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
      .map((el) => el.id || el.name));
    assert.deepEqual(unlabelled, []);
    // The form can be submitted from the keyboard alone.
    await page.focus('#f-id');
    await page.keyboard.type('KB-1');
    await page.keyboard.press('Tab');
    await page.keyboard.type('ร้านคีย์บอร์ด');
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/v1/screen')),
      page.keyboard.press('Enter'),
    ]);
    await page.waitForSelector('#view-result:not([hidden]) .program-result');
    await closePage(page);
  });
});
