// Every text of the officer page, Thai first, then English. Keys are stable; pages look texts up
// with t(key, values). Field, code and outcome labels follow docs/enterprise-profile.md.

const STRINGS = {
  th: {
    'app.title': 'คัดกรองสิทธิ์โครงการส่งเสริม SME',
    'app.org': 'กรมส่งเสริมอุตสาหกรรม (ดีพร้อม)',
    'app.skip': 'ข้ามไปยังเนื้อหาหลัก',
    'app.loading': 'กำลังโหลด…',
    'app.footer': 'smematch · ชุดเกณฑ์ที่ใช้อยู่ {rule_set}',
    'app.footer_api': 'เอกสาร API (OpenAPI)',
    'nav.label': 'เมนูหลัก',
    'nav.screen': 'คัดกรองรายกิจการ',
    'nav.batch': 'คัดกรองทั้งไฟล์',
    'nav.programs': 'โครงการและเกณฑ์',
    'lang.switch': 'English',
    'lang.switch_label': 'Switch to English',

    'form.heading': 'ข้อมูลผู้ประกอบการ',
    'form.intro': 'กรอกเท่าที่ทราบ ช่องที่ไม่ทราบให้เว้นว่างไว้ (อย่าใส่ 0 แทนค่าที่ไม่ทราบ เพราะ 0 ถือเป็นข้อมูล) ช่องที่มีเครื่องหมาย * ต้องกรอก',
    'form.required': 'ต้องกรอก',
    'sec.identity': 'ข้อมูลกิจการ',
    'sec.size': 'ขนาดและอายุกิจการ',
    'sec.products': 'สินค้า มาตรฐาน และความพร้อม',
    'sec.needs': 'ความต้องการพัฒนา 5 ด้าน (STAR SME)',
    'sec.needs_hint': '0 = ไม่ต้องการ ถึง 5 = ต้องการเร่งด่วน ถ้าประเมินแล้วบางด้าน ด้านที่เว้นไว้นับเป็น 0 ถ้ายังไม่ได้ประเมินเลยให้เว้นทุกด้าน',
    'sec.participation': 'ประวัติการเข้าร่วมโครงการ',
    'sec.participation_hint': 'ปีงบประมาณเป็นปี ค.ศ. ที่ปีงบประมาณสิ้นสุด เช่น ปีงบประมาณ พ.ศ. 2569 ให้ใส่ 2026 (ลบ 543)',
    'sec.options': 'ตัวเลือกการคัดกรอง',
    'opt.programs': 'โครงการที่ต้องการคัดกรอง',
    'opt.programs_hint': 'ไม่เลือกเลย = ทุกโครงการ',
    'opt.as_of': 'วันที่พิจารณา',
    'opt.as_of_hint': 'เว้นว่าง = วันนี้ (เวลาประเทศไทย) วันที่กำหนดปีงบประมาณและฉบับของเกณฑ์',
    'select.unknown': '— ไม่ทราบ —',
    'select.not_rated': '— ไม่ได้รับการจัดระดับ —',
    'select.not_assessed': '— ยังไม่ได้ประเมิน —',
    'bool.true': 'ใช่',
    'bool.false': 'ไม่ใช่',
    'part.add': 'เพิ่มรายการเข้าร่วมโครงการ',
    'part.remove': 'ลบรายการที่ {n}',
    'part.row': 'รายการที่ {n}',
    'part.none': 'ยังไม่มีรายการ (ไม่เคยเข้าร่วม)',
    'form.submit': 'คัดกรองสิทธิ์',
    'form.reset': 'ล้างแบบฟอร์ม',
    'form.sending': 'กำลังคัดกรอง…',

    'err.summary': 'กรุณาแก้ไขข้อมูล {n} รายการ',
    'err.summary_server': 'ระบบตรวจพบข้อมูลที่ไม่ถูกต้อง {n} รายการ',
    'err.required': 'ต้องกรอก{label}',
    'err.int': 'ต้องเป็นจำนวนเต็มตั้งแต่ {min} ถึง {max}',
    'err.number': 'ต้องเป็นตัวเลขตั้งแต่ {min} ถึง {max} (ไม่ต้องใส่หน่วย)',
    'err.id_length': 'ต้องเป็นตัวเลข 13 หลัก แต่มี {n} ตัวอักษร',
    'err.id_digits': 'ใส่ได้เฉพาะตัวเลข 0–9 ไม่ต้องมีขีดหรือเว้นวรรค',
    'err.id_nine': 'ไม่มีเลขประจำตัวของไทยที่ขึ้นต้นด้วย 9',
    'err.bytes': 'ยาวเกินไป (จำกัด 1,024 ไบต์ หรือประมาณ 340 ตัวอักษรไทย)',
    'err.date': 'วันที่ไม่ถูกต้อง',
    'err.network': 'ติดต่อระบบไม่ได้: {detail}',
    'err.service': 'ระบบตอบกลับข้อผิดพลาด {status}: {detail}',
    'err.not_field': 'ข้อผิดพลาดทั่วไป',

    'res.heading': 'ผลการคัดกรองสิทธิ์',
    'res.enterprise': 'ผู้ประกอบการ',
    'res.decision_id': 'เลขที่ผลการพิจารณา',
    'res.decision_id_hint': 'ใช้อ้างอิงผลนี้ภายหลังได้',
    'res.rule_set': 'ชุดเกณฑ์',
    'res.as_of': 'วันที่พิจารณา',
    'res.printed': 'พิมพ์เมื่อ',
    'res.overview': 'มีสิทธิ์ {n} จาก {m} โครงการ',
    'res.version': 'ฉบับ {v}',
    'res.score': 'คะแนนจัดลำดับ',
    'res.group': 'กลุ่ม',
    'res.missing': 'ข้อมูลที่ต้องเพิ่มเติม',
    'res.reasons': 'เหตุผลตามเกณฑ์',
    'res.benefit': 'สิทธิประโยชน์',
    'res.print': 'พิมพ์ / บันทึกเป็น PDF',
    'res.edit': 'กลับไปแก้ไขข้อมูล',
    'res.new': 'คัดกรองรายใหม่',
    'res.none': 'ยังไม่มีผลการคัดกรอง กรอกแบบฟอร์มก่อน',
    'res.matching': 'พี่เลี้ยงและช่องทางการตลาด',
    'res.mentors': 'พี่เลี้ยงธุรกิจที่แนะนำ',
    'res.channels': 'ความพร้อมเข้าช่องทางการค้าสมัยใหม่',
    'res.matching_error': 'จับคู่ไม่สำเร็จ: {detail}',
    'res.fit_score': 'คะแนนความเหมาะสม {score}',
    'res.fit_parts': 'ที่มาของคะแนน',
    'res.no_mentor': 'ยังไม่มีพี่เลี้ยงที่เหมาะสม',
    'res.mentor_not_star': 'ไม่ได้จับคู่ เพราะไม่มีสิทธิ์ STAR SME',
    'res.mentors_n': '{n} คน',
    'res.alternatives': 'พี่เลี้ยงที่เหมาะสมรองลงมา',
    'res.mentor_full': 'รับครบแล้ว',
    'res.channels_ready': 'พร้อมเข้าช่องทาง ({n})',
    'res.channels_not_ready': 'ยังไม่พร้อม ({n}) — สิ่งที่ต้องทำเพิ่ม',
    'res.channels_not_applicable': 'ช่องทางที่ไม่เกี่ยวข้องกับกิจการนี้ {n} ช่องทาง',
    'res.slot_assigned': 'ได้รับโควตารอบนี้',
    'res.nothing': 'ไม่มีรายการ',
    'outcome.eligible': 'มีสิทธิ์',
    'outcome.ineligible': 'ไม่มีสิทธิ์',
    'outcome.needs_information': 'ต้องการข้อมูลเพิ่มเติม',
    'outcome.error': 'ประมวลผลเกณฑ์ไม่สำเร็จ',
    'outcome.invalid': 'ข้อมูลไม่ถูกต้อง',
    'crit.pass': 'ผ่าน',
    'crit.fail': 'ไม่ผ่าน',
    'crit.needs_information': 'ข้อมูลไม่พอ',

    'batch.heading': 'คัดกรองทั้งไฟล์ (CSV)',
    'batch.intro': 'ไฟล์ CSV แบบ UTF-8 หัวคอลัมน์ตามคู่มือข้อมูลผู้ประกอบการ (คอลัมน์เดียวกับไฟล์ตัวอย่าง data/demo/enterprises.csv) ใน Excel ให้เลือก บันทึกเป็น → "CSV UTF-8 (Comma delimited)" ไฟล์จะถูกอ่านในเครื่องนี้ แล้วส่งไปคัดกรองทีละชุด',
    'batch.file': 'ไฟล์ CSV',
    'batch.start': 'เริ่มคัดกรอง',
    'batch.stop': 'หยุด',
    'batch.reading': 'กำลังอ่านไฟล์…',
    'batch.progress': 'คัดกรองแล้ว {done} จาก {total} รายการ',
    'batch.stopped': 'หยุดแล้ว: คัดกรอง {done} จาก {total} รายการ',
    'batch.done': 'เสร็จแล้ว: {total} รายการ',
    'batch.summary': 'สรุปผล',
    'batch.counts': 'คัดกรองได้ {screened} รายการ ข้อมูลไม่ถูกต้อง {invalid} รายการ',
    'batch.by_program': 'จำนวนที่มีสิทธิ์ แยกตามโครงการ',
    'batch.by_program_chart': 'แผนภูมิแท่ง: จำนวนกิจการที่มีสิทธิ์ในแต่ละโครงการ',
    'batch.by_province': 'จำนวนที่มีสิทธิ์ แยกตามจังหวัด',
    'batch.program': 'โครงการ',
    'batch.province': 'จังหวัด',
    'batch.no_province': '(ไม่ระบุจังหวัด)',
    'batch.total': 'รวม',
    'batch.errors': 'รายการที่ข้อมูลไม่ถูกต้อง (ไม่ได้คัดกรอง)',
    'batch.record': 'แถวที่',
    'batch.id': 'รหัสรายการ',
    'batch.field': 'ช่อง',
    'batch.problem': 'ปัญหา',
    'batch.download': 'ดาวน์โหลดผล (CSV สำหรับ Excel)',
    'batch.results': 'ผลรายกิจการ',
    'batch.view': 'ดูรายละเอียด',
    'batch.no_file': 'เลือกไฟล์ CSV ก่อน',
    'batch.empty': 'ไฟล์ไม่มีรายการข้อมูล',
    'batch.header_error': 'หัวคอลัมน์ของไฟล์ไม่ถูกต้อง จึงไม่ได้คัดกรอง: {detail}',
    'batch.parse_error': 'อ่านไฟล์ไม่ได้ จึงไม่ได้คัดกรอง: {detail}',
    'batch.encoding': 'ไฟล์นี้ไม่ใช่ UTF-8 จึงอ่านแบบ Windows-874 (TIS-620) แทน ตรวจสอบตัวอักษรไทยในผลอีกครั้ง และครั้งต่อไปให้บันทึกเป็น "CSV UTF-8"',
    'batch.chunk_error': 'ส่งรายการแถวที่ {from}–{to} ไม่สำเร็จ: {detail}',

    'prog.heading': 'โครงการและเกณฑ์ปัจจุบัน',
    'prog.intro': 'รายการนี้อ่านจากสคริปต์เกณฑ์ที่ระบบใช้อยู่ขณะนี้ เกณฑ์หรือค่าที่มีป้าย "สมมติ" ยังไม่มีแหล่งอ้างอิง รอเจ้าหน้าที่ฝ่ายนโยบายยืนยัน',
    'prog.rule_set': 'ชุดเกณฑ์',
    'prog.effective': 'มีผลตั้งแต่ {from} ถึง {to}',
    'prog.effective_open': 'มีผลตั้งแต่ {from} (ไม่กำหนดวันสิ้นสุด)',
    'prog.criteria': 'เกณฑ์คุณสมบัติ',
    'prog.parameters': 'ค่ากำหนด',
    'prog.groups': 'กลุ่ม',
    'prog.source': 'ที่มา',
    'prog.assumed': 'สมมติ',
    'prog.assumed_title': 'ค่าสมมติ รอเจ้าหน้าที่ฝ่ายนโยบายยืนยัน',
    'prog.param_name': 'ค่า',
    'prog.param_value': 'กำหนดไว้',
    'prog.param_desc': 'ความหมาย',
    'prog.load_error': 'โหลดรายการโครงการไม่ได้: {detail}',
  },
  en: {
    'app.title': 'SME support program screening',
    'app.org': 'Department of Industrial Promotion (DIPROM)',
    'app.skip': 'Skip to main content',
    'app.loading': 'Loading…',
    'app.footer': 'smematch · rule set in use {rule_set}',
    'app.footer_api': 'API document (OpenAPI)',
    'nav.label': 'Main menu',
    'nav.screen': 'Screen one enterprise',
    'nav.batch': 'Screen a file',
    'nav.programs': 'Programs and criteria',
    'lang.switch': 'ภาษาไทย',
    'lang.switch_label': 'เปลี่ยนเป็นภาษาไทย',

    'form.heading': 'Enterprise profile',
    'form.intro': 'Fill in what you know and leave the rest empty (never put 0 for an unknown value: 0 is a value). Fields marked * are required.',
    'form.required': 'required',
    'sec.identity': 'The enterprise',
    'sec.size': 'Size and age',
    'sec.products': 'Products, standards and readiness',
    'sec.needs': 'Development needs on 5 dimensions (STAR SME)',
    'sec.needs_hint': '0 = no need to 5 = urgent. If some dimensions are assessed, the ones left empty count as 0; if none was assessed, leave all empty.',
    'sec.participation': 'Past participation in programs',
    'sec.participation_hint': 'The fiscal year is the Gregorian year in which it ends: Thai fiscal year B.E. 2569 is 2026 (subtract 543).',
    'sec.options': 'Screening options',
    'opt.programs': 'Programs to screen',
    'opt.programs_hint': 'none ticked = all programs',
    'opt.as_of': 'Decision date',
    'opt.as_of_hint': 'empty = today (Bangkok time); the date fixes the fiscal year and the rule versions',
    'select.unknown': '— unknown —',
    'select.not_rated': '— not rated —',
    'select.not_assessed': '— not assessed —',
    'bool.true': 'yes',
    'bool.false': 'no',
    'part.add': 'Add a participation',
    'part.remove': 'Remove entry {n}',
    'part.row': 'Entry {n}',
    'part.none': 'No entries (never took part)',
    'form.submit': 'Screen',
    'form.reset': 'Clear the form',
    'form.sending': 'Screening…',

    'err.summary': 'Please correct {n} item(s)',
    'err.summary_server': 'The service found {n} problem(s) in the data',
    'err.required': 'Enter the {label}',
    'err.int': 'must be a whole number from {min} to {max}',
    'err.number': 'must be a number from {min} to {max} (no units)',
    'err.id_length': 'must be 13 digits; got {n} characters',
    'err.id_digits': 'digits 0–9 only, no dashes or spaces',
    'err.id_nine': 'no Thai identifier starts with 9',
    'err.bytes': 'too long (the limit is 1,024 bytes, about 340 Thai characters)',
    'err.date': 'not a valid date',
    'err.network': 'Could not reach the service: {detail}',
    'err.service': 'The service answered {status}: {detail}',
    'err.not_field': 'General problem',

    'res.heading': 'Screening result',
    'res.enterprise': 'Enterprise',
    'res.decision_id': 'Decision id',
    'res.decision_id_hint': 'cite it to look this result up later',
    'res.rule_set': 'Rule set',
    'res.as_of': 'Decision date',
    'res.printed': 'Printed',
    'res.overview': 'Eligible for {n} of {m} programs',
    'res.version': 'version {v}',
    'res.score': 'Ranking score',
    'res.group': 'Group',
    'res.missing': 'Information needed',
    'res.reasons': 'Reasons, criterion by criterion',
    'res.benefit': 'Benefit',
    'res.print': 'Print / save as PDF',
    'res.edit': 'Back to the form',
    'res.new': 'Screen another enterprise',
    'res.none': 'No result yet: fill in the form first.',
    'res.matching': 'Mentors and sales channels',
    'res.mentors': 'Suggested business mentors',
    'res.channels': 'Modern-trade channel readiness',
    'res.matching_error': 'Matching failed: {detail}',
    'res.fit_score': 'fit {score}',
    'res.fit_parts': 'Score breakdown',
    'res.no_mentor': 'No suitable mentor yet',
    'res.mentor_not_star': 'Not matched: not eligible for STAR SME',
    'res.mentors_n': '{n} mentors',
    'res.alternatives': 'Next best mentors',
    'res.mentor_full': 'full',
    'res.channels_ready': 'Ready for ({n})',
    'res.channels_not_ready': 'Not ready yet ({n}) — what is missing',
    'res.channels_not_applicable': '{n} channels do not apply to this business',
    'res.slot_assigned': 'slot assigned this round',
    'res.nothing': 'none',
    'outcome.eligible': 'Eligible',
    'outcome.ineligible': 'Not eligible',
    'outcome.needs_information': 'Needs information',
    'outcome.error': 'Rule error',
    'outcome.invalid': 'Invalid record',
    'crit.pass': 'met',
    'crit.fail': 'not met',
    'crit.needs_information': 'cannot decide',

    'batch.heading': 'Screen a file (CSV)',
    'batch.intro': 'A UTF-8 CSV file whose header names the profile fields (the columns of data/demo/enterprises.csv). In Excel: Save As → "CSV UTF-8 (Comma delimited)". The file is read on this computer and sent for screening in chunks.',
    'batch.file': 'CSV file',
    'batch.start': 'Screen the file',
    'batch.stop': 'Stop',
    'batch.reading': 'Reading the file…',
    'batch.progress': 'Screened {done} of {total} records',
    'batch.stopped': 'Stopped: screened {done} of {total} records',
    'batch.done': 'Done: {total} records',
    'batch.summary': 'Summary',
    'batch.counts': '{screened} records screened, {invalid} invalid',
    'batch.by_program': 'Eligible enterprises by program',
    'batch.by_program_chart': 'Bar chart: eligible enterprises per program',
    'batch.by_province': 'Eligible enterprises by province',
    'batch.program': 'Program',
    'batch.province': 'Province',
    'batch.no_province': '(no province given)',
    'batch.total': 'Total',
    'batch.errors': 'Invalid records (not screened)',
    'batch.record': 'Record',
    'batch.id': 'Record id',
    'batch.field': 'Field',
    'batch.problem': 'Problem',
    'batch.download': 'Download results (CSV for Excel)',
    'batch.results': 'Results by enterprise',
    'batch.view': 'Details',
    'batch.no_file': 'Choose a CSV file first',
    'batch.empty': 'The file has no records',
    'batch.header_error': 'The header row is wrong, nothing was screened: {detail}',
    'batch.parse_error': 'The file cannot be read, nothing was screened: {detail}',
    'batch.encoding': 'This file is not UTF-8; it was read as Windows-874 (TIS-620). Check the Thai text in the results, and save as "CSV UTF-8" next time.',
    'batch.chunk_error': 'Records {from}–{to} could not be sent: {detail}',

    'prog.heading': 'Programs and current criteria',
    'prog.intro': 'Read from the rule scripts the service is using now. Criteria and values marked "assumed" have no published source yet and wait for policy staff to confirm them.',
    'prog.rule_set': 'Rule set',
    'prog.effective': 'in force from {from} to {to}',
    'prog.effective_open': 'in force from {from} (no end date)',
    'prog.criteria': 'Eligibility criteria',
    'prog.parameters': 'Parameters',
    'prog.groups': 'Groups',
    'prog.source': 'Source',
    'prog.assumed': 'assumed',
    'prog.assumed_title': 'placeholder value, to be confirmed by policy staff',
    'prog.param_name': 'Parameter',
    'prog.param_value': 'Value',
    'prog.param_desc': 'Meaning',
    'prog.load_error': 'Could not load the programs: {detail}',
  },
};

// Labels of profile fields and their codes (docs/enterprise-profile.md), [th, en].
export const FIELD_LABELS = {
  id: ['รหัสรายการ', 'record id'],
  identifier: ['เลขประจำตัว 13 หลัก', '13-digit identifier'],
  name: ['ชื่อกิจการ', 'name of the enterprise'],
  legal_form: ['รูปแบบกิจการ', 'legal form'],
  sector: ['ภาคธุรกิจ', 'sector'],
  industry: ['อุตสาหกรรม', 'industry'],
  province: ['จังหวัด', 'province'],
  employees: ['จำนวนการจ้างงาน (คน)', 'employees (persons)'],
  annual_revenue_thb: ['รายได้ต่อปี (บาท)', 'annual revenue (THB per year)'],
  years_operating: ['จำนวนปีที่ดำเนินกิจการ', 'years operating'],
  members: ['จำนวนสมาชิก (คน)', 'members (persons)'],
  certifications: ['มาตรฐานและใบอนุญาต', 'certifications'],
  otop_stars: ['ระดับดาว OTOP', 'OTOP stars'],
  digital_readiness: ['ความพร้อมด้านดิจิทัล (0–5)', 'digital readiness (0–5)'],
  needs: ['ความต้องการพัฒนา 5 ด้าน', 'development needs'],
  own_farm_produce: ['ใช้ผลผลิตการเกษตรของตนเอง', 'processes its own farm produce'],
  vat_registered: ['จดทะเบียนภาษีมูลค่าเพิ่ม', 'VAT registered'],
  gs1_barcode: ['มีบาร์โค้ด GS1', 'has GS1 barcodes'],
  monthly_capacity_units: ['กำลังการผลิตต่อเดือน (หน่วย)', 'monthly capacity (units)'],
  shelf_life_days: ['อายุการเก็บรักษาสินค้า (วัน)', 'shelf life (days)'],
  participation: ['ประวัติการเข้าร่วมโครงการ', 'past participation'],
  program: ['โครงการ', 'program'],
  fiscal_year: ['ปีงบประมาณ (ค.ศ.)', 'fiscal year (Gregorian)'],
  man_days_used: ['วันทำการที่ใช้ไป', 'man-days used'],
};

export const FIELD_HINTS = {
  id: ['รหัสของท่านเอง จะแสดงในผลทุกโครงการ', 'your own record id, copied to every decision'],
  identifier: ['เลขทะเบียนนิติบุคคลหรือเลขประจำตัวประชาชน 13 หลัก ไม่มีขีด วิสาหกิจชุมชนที่ไม่มีให้เว้นว่าง', 'DBD juristic person number or national ID, 13 digits without dashes; leave empty if there is none'],
  employees: ['จากข้อมูลการจ้างงาน', 'from employment records'],
  annual_revenue_thb: ['จากงบการเงิน ใส่ตัวเลขเท่านั้น เช่น 12500000', 'from financial statements, digits only, e.g. 12500000'],
  years_operating: ['ใส่ทศนิยมได้ เช่น 1.5', 'decimals allowed, e.g. 1.5'],
  members: ['สำหรับวิสาหกิจชุมชน กลุ่มเกษตรกร หรือกลุ่ม OTOP', 'for community enterprises, farmer groups and OTOP groups'],
  certifications: ['ไม่ได้เลือก = ไม่มี', 'none ticked = holds none'],
  digital_readiness: ['ประเมินตนเอง 0 = ไม่มี ถึง 5 = ก้าวหน้า', 'self-assessed, 0 none to 5 advanced'],
};

export const CODE_LABELS = {
  legal_form: {
    juristic_person: ['นิติบุคคล', 'juristic person'],
    community_enterprise: ['วิสาหกิจชุมชน', 'community enterprise'],
    individual: ['บุคคลธรรมดา', 'individual'],
    farmer_group: ['กลุ่มเกษตรกร', 'farmer group'],
    otop_producer: ['ผู้ผลิต OTOP', 'OTOP producer'],
  },
  sector: {
    manufacturing: ['การผลิต', 'manufacturing'],
    trade_services: ['การค้าและบริการ', 'trade and services'],
  },
  industry: {
    food: ['อาหาร', 'food'],
    beverage: ['เครื่องดื่ม', 'beverages'],
    coffee_tea: ['กาแฟและชา', 'coffee and tea'],
    herbs: ['สมุนไพร', 'herbs'],
    agro_processing: ['แปรรูปผลผลิตการเกษตร', 'agro-processing'],
    souvenir_craft: ['ของที่ระลึกและหัตถกรรม', 'souvenirs and crafts'],
    textile: ['สิ่งทอและเครื่องนุ่งห่ม', 'textiles and apparel'],
    furniture_wood: ['เฟอร์นิเจอร์และผลิตภัณฑ์ไม้', 'furniture and wood products'],
    cosmetics: ['เครื่องสำอาง', 'cosmetics'],
    metal_machinery: ['โลหะและเครื่องจักร', 'metal and machinery'],
    auto_parts: ['ชิ้นส่วนยานยนต์', 'automotive parts'],
    electronics: ['อิเล็กทรอนิกส์', 'electronics'],
    plastics_chemicals: ['พลาสติกและเคมีภัณฑ์', 'plastics and chemicals'],
    retail_wholesale: ['ค้าปลีกค้าส่ง', 'retail and wholesale'],
    tourism_hospitality: ['ท่องเที่ยวและบริการ', 'tourism and hospitality'],
    digital_services: ['บริการดิจิทัล', 'digital services'],
    other_services: ['บริการอื่น ๆ', 'other services'],
  },
  certifications: {
    fda: ['เลขสารบบอาหาร อย.', 'Thai FDA registration'],
    gmp: ['GMP', 'GMP'],
    haccp: ['HACCP', 'HACCP'],
    tisi: ['มาตรฐาน มอก.', 'TISI standard'],
    tcps: ['มาตรฐานผลิตภัณฑ์ชุมชน (มผช.)', 'Thai Community Product Standard'],
    halal: ['ฮาลาล', 'Halal (CICOT)'],
  },
  needs: {
    entrepreneurship: ['การเป็นผู้ประกอบการ การบริหารจัดการ และการพัฒนาคน', 'entrepreneurship, management and people'],
    marketing: ['การตลาดเชิงกลยุทธ์', 'strategic marketing'],
    product_innovation: ['นวัตกรรมผลิตภัณฑ์', 'product innovation'],
    finance_legal: ['การเงิน บัญชี ภาษี และกฎหมาย', 'finance, accounting, tax and law'],
    digital: ['เทคโนโลยีดิจิทัล', 'digital technology'],
  },
};

const STORAGE_KEY = 'smematch.lang';
let current = 'th';
const listeners = [];

function readStoredLang() {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    return stored === 'en' || stored === 'th' ? stored : null;
  } catch {
    return null;  // storage blocked (private mode, policy): Thai by default
  }
}

export function initLang() {
  current = readStoredLang() || 'th';
  document.documentElement.lang = current;
  return current;
}

export function lang() {
  return current;
}

export function setLang(next) {
  if (next !== 'th' && next !== 'en') return;
  current = next;
  document.documentElement.lang = next;
  try {
    window.localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Not persisted; the page still switches.
  }
  for (const fn of listeners) fn(next);
}

export function onLangChange(fn) {
  listeners.push(fn);
}

// Returns the text of `key` in the current language with {name} placeholders filled from `values`.
// A missing key shows as the key itself, so a gap is visible rather than blank.
export function t(key, values) {
  const table = STRINGS[current];
  let text = table[key] ?? STRINGS.th[key] ?? key;
  if (values) {
    text = text.replace(/\{(\w+)\}/g, (m, name) => (name in values ? String(values[name]) : m));
  }
  return text;
}

// Picks the current language from a [th, en] pair or a {th, en} object (API texts).
export function pick(pair) {
  if (pair == null) return '';
  if (Array.isArray(pair)) return current === 'en' ? pair[1] : pair[0];
  if (typeof pair === 'object') return (current === 'en' ? pair.en : pair.th) ?? pair.th ?? pair.en ?? '';
  return String(pair);
}

export function fieldLabel(name) {
  const pair = FIELD_LABELS[name];
  return pair ? pick(pair) : name;
}

export function codeLabel(field, code) {
  const pair = CODE_LABELS[field] && CODE_LABELS[field][code];
  return pair ? pick(pair) : code;
}

export function formatNumber(n) {
  return new Intl.NumberFormat(current === 'en' ? 'en-GB' : 'th-TH').format(n);
}

// Formats an ISO date (YYYY-MM-DD) for people: Thai Buddhist calendar in Thai.
export function formatDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
  if (!m) return iso || '';
  const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  const locale = current === 'en' ? 'en-GB' : 'th-TH';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(date);
}

// Fills every element carrying data-i18n (text) or data-i18n-<attr> (attribute) under `root`.
export function applyStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  }
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
}
