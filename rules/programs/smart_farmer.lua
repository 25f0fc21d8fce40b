-- SMART_FARMER: turning farm produce into agro-industry products
-- โครงการพัฒนานักธุรกิจเกษตรอุตสาหกรรม / ยกระดับสินค้าเกษตรสู่เกษตรอุตสาหกรรม
--
-- Sources: seed 000 (one of the 6 provincial projects); seed 002 (farmers, farmer groups and
-- community enterprises moving into processing). The Community Enterprise Promotion Act
-- B.E. 2548 asks for at least 7 members (FACTS.md §3). Criteria marked assumed = true are
-- placeholders for policy staff.

program {
  id = "SMART_FARMER",
  name = {
    th = "โครงการพัฒนานักธุรกิจเกษตรอุตสาหกรรม (Smart Farmer)",
    en = "Agro-industry entrepreneur development (Smart Farmer)",
  },
  description = {
    th = "ยกระดับเกษตรกร กลุ่มเกษตรกร และวิสาหกิจชุมชน จากผลผลิตการเกษตรสู่ผลิตภัณฑ์เกษตรอุตสาหกรรม",
    en = "Helps farmers, farmer groups and community enterprises turn farm produce into agro-industry products",
  },
  version = "2026.1",
  effective_from = "2025-10-01",
  source = "seed 000; seed 002",
}

parameter "eligible_legal_forms" {
  value = { "community_enterprise", "farmer_group", "individual", "otop_producer" },
  th = "รูปแบบกิจการที่รับเข้าร่วม", en = "legal forms admitted",
  source = "seed 002 (farmers, farmer groups, community enterprises); otop_producer [assumed]",
  assumed = true,
}

parameter "agro_industries" {
  value = { "food", "beverage", "coffee_tea", "herbs", "agro_processing" },
  th = "อุตสาหกรรมเกษตรแปรรูป", en = "agro-industries",
  source = "seed 002; [assumed] list", assumed = true,
}

parameter "eligible_sizes" {
  value = { "micro", "small" },
  th = "ขนาดกิจการที่รับเข้าร่วม", en = "enterprise sizes admitted",
  source = "[assumed]", assumed = true,
}

parameter "min_community_members" {
  value = 7, unit = "persons",
  th = "จำนวนสมาชิกขั้นต่ำของวิสาหกิจชุมชน", en = "minimum members of a community enterprise",
  source = "[law] Community Enterprise Promotion Act B.E. 2548; FACTS.md §3",
}

criterion "farmer_form" {
  th = "เป็นเกษตรกร กลุ่มเกษตรกร หรือวิสาหกิจชุมชน",
  en = "is a farmer, farmer group or community enterprise",
  source = "seed 002", assumed = true,
  test = "one_of(e.legal_form, p.eligible_legal_forms)",
  pass = { th = "รูปแบบ{e.legal_form|legal_form}", en = "legal form: {e.legal_form|legal_form}" },
  fail = {
    th = "รูปแบบ{e.legal_form|legal_form} ไม่อยู่ในกลุ่มเป้าหมาย ({p.eligible_legal_forms|legal_form})",
    en = "legal form {e.legal_form|legal_form} is not admitted ({p.eligible_legal_forms|legal_form})",
  },
}

criterion "own_farm_produce" {
  th = "แปรรูปผลผลิตการเกษตรของตนเองหรือของกลุ่ม",
  en = "processes its own or its group's farm produce",
  source = "seed 002 (farm produce to agro-industry); [assumed] that the produce must be its own",
  assumed = true,
  test = "e.own_farm_produce == true",
  pass = { th = "แปรรูปผลผลิตการเกษตรของตนเอง", en = "processes its own farm produce" },
  fail = {
    th = "ไม่ได้ใช้ผลผลิตการเกษตรของตนเอง: โครงการมุ่งยกระดับเกษตรกรสู่เกษตรอุตสาหกรรม",
    en = "does not process its own produce: the program moves farmers into agro-industry",
  },
}

criterion "agro_industry" {
  th = "อยู่ในอุตสาหกรรมเกษตรแปรรูป",
  en = "is in agro-processing",
  source = "seed 002", assumed = true,
  test = "one_of(e.industry, p.agro_industries)",
  pass = { th = "อุตสาหกรรม{e.industry|industry}", en = "industry: {e.industry|industry}" },
  fail = {
    th = "อุตสาหกรรม{e.industry|industry} ไม่ใช่เกษตรแปรรูป ({p.agro_industries|industry})",
    en = "{e.industry|industry} is not agro-processing ({p.agro_industries|industry})",
  },
}

criterion "small_producer" {
  th = "เป็นวิสาหกิจรายย่อยหรือขนาดย่อม",
  en = "is a micro or small enterprise",
  source = "[law] Ministerial Regulation B.E. 2562 for the sizes; [assumed] the sizes admitted",
  assumed = true,
  test = "one_of(sme_size(e), p.eligible_sizes)",
  values = function(e, p) return { size = sme_size(e) } end,
  pass = { th = "เป็น{v.size|size}", en = "a {v.size|size}" },
  fail = {
    th = "เป็น{v.size|size}: โครงการรับเฉพาะ {p.eligible_sizes|size}",
    en = "a {v.size|size}: the program admits {p.eligible_sizes|size}",
  },
}

criterion "community_members" {
  th = "วิสาหกิจชุมชนมีสมาชิกไม่น้อยกว่าที่กฎหมายกำหนด",
  en = "a community enterprise has the members the law requires",
  source = "[law] Community Enterprise Promotion Act B.E. 2548",
  test = "e.legal_form ~= 'community_enterprise' or e.members >= p.min_community_members",
  pass = { th = "เป็นไปตามเกณฑ์สมาชิก", en = "membership requirement met" },
  fail = {
    th = "มีสมาชิก {e.members} คน น้อยกว่า {p.min_community_members} คน",
    en = "{e.members} members, fewer than {p.min_community_members}",
  },
}

-- Ranking (0–100) [assumed]: community groups, product standards already in hand.
score(function(e, p)
  local s = 40
  if e.legal_form == "community_enterprise" or e.legal_form == "farmer_group" then s = s + 20 end
  if e.certifications.tcps then s = s + 10 end
  if e.certifications.fda then s = s + 10 end
  s = s + 4 * clamp(e.otop_stars, 0, 5)
  return clamp(s, 0, 100)
end)

benefit {
  th = "อบรมและให้คำปรึกษาการแปรรูปผลผลิตการเกษตร มาตรฐานผลิตภัณฑ์ และการตลาด",
  en = "training and consulting in processing, product standards and marketing",
}
