-- ITC: Industry Transformation Center (ITC 4.0)
-- โครงการพัฒนาศักยภาพวิสาหกิจผ่านศูนย์ปฏิรูปอุตสาหกรรม
--
-- Sources: seed 001 (ITC Chiang Mai, the northern model center; SMEs 4.0 in the 8
-- upper-northern provinces; shared machinery for prototyping); seed 002 (food, agro-processing
-- and souvenir SMEs; coffee, tea and herbs). Criteria marked assumed = true are placeholders.

program {
  id = "ITC",
  name = {
    th = "โครงการพัฒนาศักยภาพวิสาหกิจผ่านศูนย์ปฏิรูปอุตสาหกรรม (ITC)",
    en = "Industry Transformation Center: technology and innovation (ITC)",
  },
  description = {
    th = "ใช้เทคโนโลยี นวัตกรรม และเครื่องจักรกลางของศูนย์ ITC พัฒนาต้นแบบและเพิ่มมูลค่าผลิตภัณฑ์",
    en = "Technology, innovation and the ITC's shared machinery to prototype and add product value",
  },
  version = "2026.1",
  effective_from = "2025-10-01",
  source = "seed 001; seed 002",
}

parameter "target_industries" {
  value = { "food", "beverage", "coffee_tea", "herbs", "agro_processing", "souvenir_craft",
            "textile", "cosmetics", "furniture_wood" },
  th = "อุตสาหกรรมเป้าหมายของศูนย์ ITC",
  en = "target industries of the ITC",
  source = "seed 001, seed 002 (food, agro-processing, souvenirs, coffee, tea, herbs); the rest [assumed]",
  assumed = true,
}

parameter "min_years_operating" {
  value = 1, unit = "years",
  th = "ระยะเวลาดำเนินกิจการขั้นต่ำ", en = "minimum years operating",
  source = "[assumed]", assumed = true,
}

parameter "rest_fiscal_years" {
  value = 1, unit = "fiscal years",
  th = "เว้นระยะหลังเข้าร่วม ITC ครั้งก่อน (ปีงบประมาณ)",
  en = "fiscal years after a previous ITC project before the next",
  source = "[assumed]", assumed = true,
}

criterion "is_sme" {
  th = "เป็นวิสาหกิจขนาดกลางและขนาดย่อม (SME)",
  en = "is a small or medium enterprise (SME)",
  source = "[law] Ministerial Regulation B.E. 2562",
  test = "sme_size(e) ~= nil and sme_size(e) ~= 'large'",
  values = function(e, p) return { size = sme_size(e) } end,
  pass = { th = "เป็น{v.size|size}", en = "a {v.size|size}" },
  fail = {
    th = "เป็น{v.size|size}: รายได้ {e.annual_revenue_thb|thb} บาทต่อปี จ้างงาน {e.employees} คน เกินเกณฑ์ SME ภาค{e.sector|sector} (กฎกระทรวง พ.ศ. 2562)",
    en = "a {v.size|size}: revenue {e.annual_revenue_thb|thb} THB/year, {e.employees} employees, above the SME bounds for {e.sector|sector} (Ministerial Regulation B.E. 2562)",
  },
}

criterion "manufacturer" {
  th = "เป็นผู้ผลิต (ใช้เครื่องจักรของศูนย์ทำต้นแบบผลิตภัณฑ์)",
  en = "is a manufacturer (prototypes on the center's machinery)",
  source = "seed 001; [assumed] that traders alone are out", assumed = true,
  test = "e.sector == 'manufacturing'",
  pass = { th = "ภาค{e.sector|sector}", en = "{e.sector|sector} sector" },
  fail = {
    th = "ภาค{e.sector|sector}: ศูนย์ ITC รับเฉพาะผู้ผลิต",
    en = "{e.sector|sector}: the ITC serves manufacturers",
  },
}

criterion "target_industry" {
  th = "อยู่ในอุตสาหกรรมเป้าหมายของศูนย์ ITC",
  en = "is in an ITC target industry",
  source = "seed 001; seed 002", assumed = true,
  test = "one_of(e.industry, p.target_industries)",
  pass = { th = "อุตสาหกรรม{e.industry|industry} เป็นกลุ่มเป้าหมาย", en = "{e.industry|industry} is a target industry" },
  fail = {
    th = "อุตสาหกรรม{e.industry|industry} ไม่อยู่ในกลุ่มเป้าหมาย ({p.target_industries|industry})",
    en = "{e.industry|industry} is not a target industry ({p.target_industries|industry})",
  },
}

criterion "operating_track_record" {
  th = "ดำเนินกิจการมาแล้วไม่น้อยกว่าระยะเวลาขั้นต่ำ",
  en = "has operated for the minimum number of years",
  source = "[assumed]", assumed = true,
  test = "e.years_operating >= p.min_years_operating",
  pass = { th = "ดำเนินกิจการมา {e.years_operating} ปี", en = "years operating: {e.years_operating}" },
  fail = {
    th = "ดำเนินกิจการมา {e.years_operating} ปี น้อยกว่าเกณฑ์ {p.min_years_operating} ปี",
    en = "years operating: {e.years_operating}, fewer than the {p.min_years_operating} required",
  },
}

criterion "no_recent_itc_project" {
  th = "ไม่ได้เข้าร่วม ITC ภายในช่วงเว้นระยะ",
  en = "had no ITC project within the rest period",
  source = "[assumed]", assumed = true,
  test = "not participated(e, 'ITC', c.fiscal_year - p.rest_fiscal_years, c.fiscal_year)",
  pass = { th = "ไม่มีประวัติเข้าร่วม ITC ในช่วงเว้นระยะ", en = "no ITC project in the rest period" },
  fail = {
    th = "เข้าร่วม ITC แล้วภายใน {p.rest_fiscal_years} ปีงบประมาณที่ผ่านมา",
    en = "already had an ITC project within the last {p.rest_fiscal_years} fiscal year(s)",
  },
}

-- Ranking (0–100) [assumed]: the upper north (ITC Chiang Mai model center, seed 001), the
-- seed industries, and readiness to use technology.
local SEED_INDUSTRY = { coffee_tea = true, herbs = true, agro_processing = true, food = true }

score(function(e, p, c)
  local s = 40
  if province(e.province).upper_north then s = s + 20 end
  if SEED_INDUSTRY[e.industry] then s = s + 15 end
  s = s + 5 * clamp(e.digital_readiness or 0, 0, 5)
  return clamp(s, 0, 100)
end)

benefit {
  th = "พัฒนาต้นแบบผลิตภัณฑ์ด้วยเครื่องจักรกลางและผู้เชี่ยวชาญของศูนย์ ITC",
  en = "product prototyping with the ITC's shared machinery and experts",
}
