-- Mentor fit: how well a STAR SME business mentor suits an enterprise (issue 3).
-- ความเหมาะสมระหว่างพี่เลี้ยงธุรกิจ (STAR SME) กับกิจการ
--
-- How the engine uses this script (docs/matching.md):
--   1. `prune` below lists hard constraints the ENGINE applies itself, with an index, before
--      this script runs: a pair excluded there is never scored. Remove an id from the list and
--      the engine stops applying that constraint (write a `constraint` here instead if it
--      should still hold).
--        mentor_active     the mentor is active in the registry
--        mentor_capacity   the mentor's capacity is above 0
--        province_served   the enterprise's province is one the mentor serves (the registry's
--                          `serves`: provinces, regions or "all"; the home province always)
--        industry_covered  the mentor covers the enterprise's industry (or "all")
--   2. Every `constraint` runs in order for the remaining pairs; a failing one makes the pair
--      not allowed, and its text is the reason shown.
--   3. The fit is the sum of the `part` scores. Scores are whole numbers (fixed point), so the
--      optimum is exact and reproducible. The assignment maximises the total fit.
--
-- Every weight and threshold below is [assumed]: no source gives them (FACTS.md). They are
-- placeholders for policy staff to set.

matching {
  id = "mentor_fit",
  version = "2026.1",
  th = "ความเหมาะสมของพี่เลี้ยงกับกิจการ: ความต้องการที่ตรงกับความเชี่ยวชาญ 5 ด้าน อุตสาหกรรม และพื้นที่",
  en = "Mentor fit: needs covered by expertise on the 5 dimensions, industry, and area",
  source = "[seed 003] the 5 STAR SME mentoring dimensions; weights [assumed]",
  prune = { "mentor_active", "mentor_capacity", "province_served", "industry_covered" },
}

parameter "need_threshold" {
  value = 3, unit = "need level (0-5)", assumed = true, source = "[assumed]",
  th = "ระดับความต้องการที่ถือว่าเป็นความต้องการหลัก",
  en = "need level from which a dimension counts as a main need",
}
parameter "min_expertise" {
  value = 3, unit = "expertise level (0-5)", assumed = true, source = "[assumed]",
  th = "ระดับความเชี่ยวชาญขั้นต่ำในด้านที่กิจการต้องการ",
  en = "lowest expertise level that covers a main need",
}
parameter "need_points" {
  value = 2, unit = "points per need level x expertise level", assumed = true, source = "[assumed]",
  th = "คะแนนต่อ (ระดับความต้องการ x ระดับความเชี่ยวชาญ) ในแต่ละด้าน",
  en = "points per need level times expertise level, per dimension",
}
parameter "industry_specialist_points" {
  value = 30, unit = "points", assumed = true, source = "[assumed]",
  th = "คะแนนเมื่อพี่เลี้ยงเชี่ยวชาญอุตสาหกรรมของกิจการโดยตรง",
  en = "points when the mentor specialises in the enterprise's industry",
}
parameter "industry_generalist_points" {
  value = 10, unit = "points", assumed = true, source = "[assumed]",
  th = "คะแนนเมื่อพี่เลี้ยงให้คำปรึกษาได้ทุกอุตสาหกรรม",
  en = "points when the mentor covers all industries",
}
parameter "same_province_points" {
  value = 25, unit = "points", assumed = true, source = "[assumed]",
  th = "คะแนนเมื่อพี่เลี้ยงอยู่จังหวัดเดียวกับกิจการ", en = "points when the mentor lives in the enterprise's province",
}
parameter "same_region_points" {
  value = 12, unit = "points", assumed = true, source = "[assumed]",
  th = "คะแนนเมื่อพี่เลี้ยงอยู่ภาคเดียวกัน", en = "points when the mentor lives in the same region",
}
parameter "served_points" {
  value = 3, unit = "points", assumed = true, source = "[assumed]",
  th = "คะแนนเมื่อพี่เลี้ยงให้บริการจังหวัดนั้นจากภาคอื่น", en = "points when the mentor serves the province from another region",
}
parameter "digital_gap_points" {
  value = 10, unit = "points", assumed = true, source = "[assumed]",
  th = "คะแนนเมื่อกิจการมีความพร้อมดิจิทัลต่ำและพี่เลี้ยงเชี่ยวชาญดิจิทัล",
  en = "points when the enterprise's digital readiness is low and the mentor is a digital expert",
}

-- The 5 dimension ids, copied once into a local list (a plain table is quicker to walk than
-- the read-only DIMENSIONS view; the parts below run for every plausible pair).
local DIMS = {}
for i, d in ipairs(DIMENSIONS) do DIMS[i] = d end

-- The mentor must speak Thai: the enterprises' records and sessions are in Thai.
constraint "speaks_thai" {
  th = "พี่เลี้ยงไม่ได้ระบุว่าใช้ภาษาไทยได้",
  en = "mentor does not list Thai among their languages",
  source = "[assumed]", assumed = true,
  test = function(e, m, p) return m.languages.th end,
}

-- When the enterprise has assessed its needs, the mentor must be strong in at least one of its
-- main needs. Without a needs assessment every mentor passes (the parts then rank them).
constraint "covers_a_main_need" {
  th = "พี่เลี้ยงไม่มีความเชี่ยวชาญในด้านที่กิจการต้องการมากที่สุด",
  en = "mentor is not strong in any of the enterprise's main needs",
  source = "[seed 003] 5 dimensions; levels [assumed]", assumed = true,
  test = function(e, m, p)
    local needs = e.needs
    if needs == nil then return true end
    local expertise, threshold, min_expertise = m.expertise, p.need_threshold, p.min_expertise
    local any_main = false
    for i = 1, #DIMS do
      local d = DIMS[i]
      if needs[d] >= threshold then
        any_main = true
        if expertise[d] >= min_expertise then return true end
      end
    end
    return not any_main
  end,
}

part "needs" {
  th = "ความต้องการที่ตรงกับความเชี่ยวชาญ", en = "needs covered by expertise",
  score = function(e, m, p)
    local needs = e.needs
    if needs == nil then return 0 end
    local expertise = m.expertise
    local s = 0
    for i = 1, #DIMS do
      local d = DIMS[i]
      s = s + needs[d] * expertise[d]
    end
    return s * p.need_points
  end,
}

part "industry" {
  th = "อุตสาหกรรม", en = "industry",
  score = function(e, m, p)
    if e.industry ~= nil and m.industries[e.industry] then return p.industry_specialist_points end
    if m.all_industries then return p.industry_generalist_points end
    return 0
  end,
}

part "area" {
  th = "พื้นที่", en = "area",
  score = function(e, m, p)
    if e.province == nil then return 0 end
    if m.home_province == e.province then return p.same_province_points end
    if m.home_region == e.region then return p.same_region_points end
    if m.serves[e.province] then return p.served_points end
    return 0
  end,
}

part "digital" {
  th = "ยกระดับดิจิทัล", en = "digital uplift",
  score = function(e, m, p)
    local r = e.digital_readiness
    if r ~= nil and r <= 1 and m.expertise.digital >= 4 then return p.digital_gap_points end
    return 0
  end,
}
