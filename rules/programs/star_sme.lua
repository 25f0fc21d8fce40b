-- STAR_SME: business mentoring for star SMEs (โครงการพี่เลี้ยงธุรกิจต้นแบบ SMEs ดาวเด่น)
--
-- Source: seed 003 (pilot of 10 STAR SMEs in the north, Chiang Mai first; a Business Mentor
-- covering 5 dimensions; operators served in 3 groups: star, general and strong-potential);
-- seed 001 (the 8 upper-northern provinces). Criteria marked assumed = true are placeholders.

program {
  id = "STAR_SME",
  name = {
    th = "โครงการพี่เลี้ยงธุรกิจต้นแบบ SMEs ดาวเด่น (STAR SME)",
    en = "STAR SME business mentoring",
  },
  description = {
    th = "พี่เลี้ยงธุรกิจ (Business Mentor) ให้คำปรึกษาครอบคลุม 5 มิติ",
    en = "A Business Mentor advising on 5 dimensions",
  },
  version = "2026.1",
  effective_from = "2025-10-01",
  source = "seed 003; seed 001",
}

parameter "upper_north_pilot" {
  value = true,
  th = "โครงการนำร่องเฉพาะ 8 จังหวัดภาคเหนือตอนบน",
  en = "pilot limited to the 8 upper-northern provinces",
  source = "seed 003 (pilot in the north); seed 001 (8 upper-northern provinces); [assumed] that the pilot is exactly those 8",
  assumed = true,
}

parameter "min_years_operating" {
  value = 2, unit = "years",
  th = "ระยะเวลาดำเนินกิจการขั้นต่ำ", en = "minimum years operating",
  source = "[assumed]", assumed = true,
}

parameter "min_need_level" {
  value = 3,
  th = "ระดับความต้องการขั้นต่ำในอย่างน้อยหนึ่งมิติ (0–5)",
  en = "lowest need level (0–5) that at least one dimension must reach",
  source = "[assumed]", assumed = true,
}

parameter "star_min_revenue_thb" {
  value = 10000000, unit = "THB/year",
  th = "รายได้ขั้นต่ำของกลุ่มสตาร์", en = "minimum revenue of the star group",
  source = "[assumed]", assumed = true,
}

parameter "star_min_years" {
  value = 5, unit = "years",
  th = "อายุกิจการขั้นต่ำของกลุ่มสตาร์", en = "minimum years operating of the star group",
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

criterion "pilot_area" {
  th = "ตั้งอยู่ในพื้นที่นำร่อง 8 จังหวัดภาคเหนือตอนบน",
  en = "located in the pilot area: the 8 upper-northern provinces",
  source = "seed 003; seed 001; [assumed] the area is exactly the 8 upper-northern provinces",
  assumed = true,
  test = "not p.upper_north_pilot or province(e.province).upper_north == true",
  values = function(e, p)
    local pr = province(e.province)
    return { province = pr.name_th, province_en = pr.name_en, region = pr.region }
  end,
  pass = { th = "จังหวัด{v.province} อยู่ในพื้นที่โครงการ", en = "{v.province_en} is in the program area" },
  fail = {
    th = "จังหวัด{v.province} ({v.region|region}) อยู่นอกพื้นที่นำร่อง 8 จังหวัดภาคเหนือตอนบน",
    en = "{v.province_en} ({v.region|region}) is outside the 8 upper-northern pilot provinces",
  },
}

criterion "established" {
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

criterion "mentoring_need" {
  th = "มีความต้องการพัฒนาอย่างน้อยหนึ่งใน 5 มิติ",
  en = "needs mentoring on at least one of the 5 dimensions",
  source = "seed 003 (5 dimensions); [assumed] the level", assumed = true,
  test = "max_need(e) >= p.min_need_level",
  values = function(e, p)
    local top = {}
    for dimension, level in pairs(e.needs) do
      if level >= p.min_need_level then top[#top + 1] = dimension end
    end
    table.sort(top)
    return { dimensions = top }
  end,
  pass = { th = "ต้องการพัฒนาด้าน{v.dimensions|dimension}", en = "needs mentoring on {v.dimensions|dimension}" },
  fail = {
    th = "ไม่มีมิติใดที่ต้องการพัฒนาถึงระดับ {p.min_need_level}",
    en = "no dimension reaches need level {p.min_need_level}",
  },
}

criterion "not_in_program" {
  th = "ไม่ได้อยู่ระหว่างรับการเป็นพี่เลี้ยงในปีงบประมาณนี้",
  en = "is not already mentored this fiscal year",
  source = "[assumed]", assumed = true,
  test = "not participated(e, 'STAR_SME', c.fiscal_year, c.fiscal_year)",
  pass = { th = "ยังไม่ได้รับพี่เลี้ยงในปีงบประมาณ {c.fiscal_year_be}", en = "not mentored in fiscal year {c.fiscal_year}" },
  fail = {
    th = "ได้รับพี่เลี้ยงแล้วในปีงบประมาณ {c.fiscal_year_be}",
    en = "already mentored in fiscal year {c.fiscal_year}",
  },
}

-- Ranking (0–100) [assumed]: the stronger the need, the more a mentor adds.
score(function(e, p)
  local need = total_need(e)   -- 0..25 over the 5 dimensions
  return clamp(20 + need * 2 + 2 * certification_count(e) + 2 * clamp(e.otop_stars, 0, 5), 0, 100)
end)

-- The 3 groups of seed 003 (กลุ่มสตาร์ กลุ่มทั่วไป กลุ่มที่มีศักยภาพเข้มแข็ง) [assumed thresholds].
groups {
  star = { th = "กลุ่มสตาร์", en = "star" },
  general = { th = "กลุ่มทั่วไป", en = "general" },
  strong_potential = { th = "กลุ่มที่มีศักยภาพเข้มแข็ง", en = "strong potential" },
}

group(function(e, p)
  local revenue = e.annual_revenue_thb or 0
  if e.years_operating >= p.star_min_years and revenue >= p.star_min_revenue_thb
      and certification_count(e) >= 2 then
    return "star"
  end
  if (e.digital_readiness or 0) >= 3 or e.otop_stars >= 3 then return "strong_potential" end
  return "general"
end)

benefit {
  th = "พี่เลี้ยงธุรกิจ (Business Mentor) ให้คำปรึกษาครอบคลุม 5 มิติ",
  en = "a Business Mentor advising on all 5 dimensions",
}
