-- BSC: initial business consulting (Business Service Center)
-- โครงการเพิ่มขีดความสามารถในการดำเนินธุรกิจด้วยบริการปรึกษาแนะนำเบื้องต้น
--
-- Sources: seed 000 (one of the 6 projects run by the 76 provincial industry offices);
-- seed 003 (consulting of 3 man-days free, 3 days per year per enterprise).
-- The exact criteria are not published: those marked assumed = true are placeholders for
-- policy staff (see docs/rules.md).

program {
  id = "BSC",
  name = {
    th = "โครงการเพิ่มขีดความสามารถในการดำเนินธุรกิจด้วยบริการปรึกษาแนะนำเบื้องต้น (BSC)",
    en = "Business Service Center: initial business consulting (BSC)",
  },
  description = {
    th = "ให้คำปรึกษาแนะนำเบื้องต้นแก่ผู้ประกอบการทั่วประเทศ ไม่เสียค่าใช้จ่าย 3 วันทำการต่อปี",
    en = "Initial business consulting for operators nationwide, 3 free man-days per year",
  },
  version = "2026.1",
  effective_from = "2025-10-01",   -- fiscal year 2026 (B.E. 2569)
  source = "seed 000; seed 003",
}

parameter "man_days_per_year" {
  value = 3, unit = "man-days",
  th = "จำนวนวันทำการที่ให้คำปรึกษาฟรีต่อกิจการต่อปีงบประมาณ",
  en = "free consulting man-days per enterprise per fiscal year",
  source = "seed 003",
}

parameter "first_time_bonus_years" {
  value = 3, unit = "fiscal years",
  th = "ไม่เคยใช้บริการ BSC ภายในกี่ปีงบประมาณจึงได้คะแนนผู้รับบริการรายใหม่",
  en = "fiscal years without BSC that count as a first-time applicant in the score",
  source = "[assumed]", assumed = true,
}

criterion "is_sme" {
  th = "เป็นวิสาหกิจขนาดกลางและขนาดย่อม (SME)",
  en = "is a small or medium enterprise (SME)",
  -- The seeds say BSC serves operators nationwide; limiting it to SMEs is our reading.
  source = "[law] Ministerial Regulation B.E. 2562 for the sizes; [assumed] that BSC requires an SME",
  assumed = true,
  test = "sme_size(e) ~= nil and sme_size(e) ~= 'large'",
  values = function(e, p) return { size = sme_size(e) } end,
  pass = {
    th = "เป็น{v.size|size} ตามกฎกระทรวงกำหนดลักษณะวิสาหกิจขนาดกลางและขนาดย่อม พ.ศ. 2562",
    en = "a {v.size|size} under Ministerial Regulation B.E. 2562",
  },
  fail = {
    th = "เป็น{v.size|size}: รายได้ {e.annual_revenue_thb|thb} บาทต่อปี จ้างงาน {e.employees} คน เกินเกณฑ์ SME ภาค{e.sector|sector} (กฎกระทรวง พ.ศ. 2562)",
    en = "a {v.size|size}: revenue {e.annual_revenue_thb|thb} THB/year, {e.employees} employees, above the SME bounds for {e.sector|sector} (Ministerial Regulation B.E. 2562)",
  },
}

-- The 76 provincial industry offices run BSC (seed 000): the province decides which office
-- serves the applicant. Input validation already refuses unknown codes, so in practice this
-- criterion passes or asks for the province.
criterion "in_service_area" {
  th = "ระบุจังหวัดที่ตั้ง (สำนักงานอุตสาหกรรมจังหวัดผู้ให้บริการ)",
  en = "gives its province (the provincial industry office that serves it)",
  source = "seed 000",
  test = "province(e.province).iso_code ~= nil",
  values = function(e, p)
    local pr = province(e.province)
    return { province = pr.name_th, province_en = pr.name_en }
  end,
  pass = { th = "ตั้งอยู่ที่จังหวัด{v.province}", en = "located in {v.province_en}" },
  fail = { th = "ไม่พบจังหวัด {e.province}", en = "province {e.province} is not known" },
}

criterion "man_days_available" {
  th = "ยังใช้สิทธิ์ปรึกษาไม่ครบในปีงบประมาณนี้",
  en = "has consulting man-days left this fiscal year",
  source = "seed 003",
  test = "man_days_used(e, 'BSC', c.fiscal_year) < p.man_days_per_year",
  values = function(e, p, c) return { used = man_days_used(e, "BSC", c.fiscal_year) } end,
  pass = {
    th = "ใช้สิทธิ์ไปแล้ว {v.used} จาก {p.man_days_per_year} วันทำการในปีงบประมาณ {c.fiscal_year_be}",
    en = "used {v.used} of {p.man_days_per_year} man-days in fiscal year {c.fiscal_year}",
  },
  fail = {
    th = "ใช้สิทธิ์ปรึกษาครบ {p.man_days_per_year} วันทำการในปีงบประมาณ {c.fiscal_year_be} แล้ว",
    en = "all {p.man_days_per_year} man-days of fiscal year {c.fiscal_year} are used",
  },
}

criterion "registered_identifier" {
  th = "นิติบุคคลต้องมีเลขทะเบียนนิติบุคคล 13 หลัก",
  en = "a juristic person gives its 13-digit juristic person number",
  source = "[assumed] vendor onboarding needs a DBD registration (FACTS.md §5)",
  assumed = true,
  test = "e.legal_form ~= nil and (e.legal_form ~= 'juristic_person' or identifier_kind(e.identifier) == 'juristic_person')",
  pass = { th = "ข้อมูลการจดทะเบียนครบถ้วน ({e.legal_form|legal_form})", en = "registration complete ({e.legal_form|legal_form})" },
  fail = {
    th = "นิติบุคคลต้องระบุเลขทะเบียนนิติบุคคล 13 หลักของกรมพัฒนาธุรกิจการค้า (ขึ้นต้นด้วย 0 แต่ไม่ใช่ 099)",
    en = "a juristic person must give its 13-digit DBD juristic person number (starts with 0, not 099)",
  },
}

-- Ranking (0–100) [assumed]: smaller enterprises and first-time applicants first.
local SIZE_POINTS = { micro = 40, small = 30, medium = 20 }

score(function(e, p, c)
  local s = 30 + SIZE_POINTS[sme_size(e)]
  -- the current fiscal year and the (first_time_bonus_years - 1) before it
  if not participated(e, "BSC", c.fiscal_year - p.first_time_bonus_years + 1, c.fiscal_year) then
    s = s + 20
  end
  if (e.digital_readiness or 0) <= 2 then s = s + 10 end
  return s
end)

benefit {
  th = "รับคำปรึกษาแนะนำฟรีได้อีก {v.man_days_left} วันทำการในปีงบประมาณ {c.fiscal_year_be}",
  en = "{v.man_days_left} free consulting man-days left in fiscal year {c.fiscal_year}",
  values = function(e, p, c)
    return { man_days_left = p.man_days_per_year - man_days_used(e, "BSC", c.fiscal_year) }
  end,
}
