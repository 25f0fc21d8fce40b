-- Channel readiness: is an enterprise ready to supply a modern-trade channel, and what does it
-- still lack? (issue 3). ความพร้อมของกิจการในการเข้าสู่ช่องทางการค้าสมัยใหม่
--
-- How the engine uses this script (docs/matching.md):
--   1. `prune` lists hard constraints the ENGINE applies itself before this script runs; a
--      pruned pair is "not applicable" with the engine's reason:
--        channel_active     the channel is taking new suppliers (registry `active`)
--        industry_accepted  the channel takes the enterprise's industry (or "all")
--        region_served      the channel buys from the enterprise's province
--   2. Every `requirement` runs; each one that fails is a gap, listed in Thai and English. No
--      gap = ready.
--   3. The score (sum of the parts, whole numbers) ranks ready enterprises for the channels'
--      supplier slots, which are assigned by the same min-cost flow as mentors.
--
-- What a channel requires is registry DATA (data/demo/channels.*): certifications, GS1
-- barcode, VAT registration and the numeric minimums, which are [assumed] placeholders
-- (FACTS.md §5: no chain publishes its checklist). The weights below are [assumed] too.

matching {
  id = "channel_readiness",
  version = "2026.1",
  th = "ความพร้อมเข้าสู่ช่องทางการค้าสมัยใหม่: ใบอนุญาต มาตรฐาน บาร์โค้ด ภาษีมูลค่าเพิ่ม กำลังการผลิต อายุสินค้า",
  en = "Modern-trade readiness: licences, standards, barcode, VAT, supply capacity, shelf life",
  source = "[3rd] FACTS.md §5; minimums are channel data [assumed]",
  prune = { "channel_active", "industry_accepted", "region_served" },
}

parameter "certification_points" {
  value = 6, unit = "points per certification held", assumed = true, source = "[assumed]",
  th = "คะแนนต่อใบรับรองที่มี", en = "points per certification held",
}
parameter "capacity_points" {
  value = 20, unit = "points at twice the channel's minimum capacity", assumed = true, source = "[assumed]",
  th = "คะแนนสูงสุดด้านกำลังการผลิต", en = "most points for supply capacity",
}
parameter "otop_star_points" {
  value = 3, unit = "points per OTOP star", assumed = true, source = "[assumed]",
  th = "คะแนนต่อดาว OTOP", en = "points per OTOP star",
}
parameter "digital_points" {
  value = 2, unit = "points per digital readiness level", assumed = true, source = "[assumed]",
  th = "คะแนนต่อระดับความพร้อมดิจิทัล", en = "points per digital readiness level",
}

local function cert_requirement(id, th, en, source)
  requirement(id) {
    th = th, en = en, source = source,
    test = function(e, ch, p) return not ch.requires[id] or e.certifications[id] end,
  }
end

cert_requirement("fda", "ต้องมีเลขสารบบอาหาร อย.", "needs Thai FDA food registration (อย.)", "[3rd] FACTS.md §5")
cert_requirement("gmp", "ต้องได้รับมาตรฐาน GMP", "needs GMP certification", "[3rd] FACTS.md §5")
cert_requirement("haccp", "ต้องได้รับมาตรฐาน HACCP", "needs HACCP certification", "[3rd] FACTS.md §5")
cert_requirement("tisi", "ต้องได้รับมาตรฐาน มอก.", "needs TISI standard certification (มอก.)", "[3rd] FACTS.md §5")
cert_requirement("tcps", "ต้องได้รับมาตรฐานผลิตภัณฑ์ชุมชน (มผช.)", "needs the Thai Community Product Standard (มผช.)", "[3rd] FACTS.md §5")
cert_requirement("halal", "ต้องได้รับรองฮาลาล", "needs Halal certification", "[assumed] FACTS.md §5")

requirement "gs1_barcode" {
  th = "ต้องมีบาร์โค้ด GS1 (รหัสประเทศไทย 885)", en = "needs GS1 barcodes (Thai prefix 885)",
  source = "[3rd] FACTS.md §5",
  test = function(e, ch, p) return not ch.requires.gs1_barcode or e.gs1_barcode == true end,
}

requirement "vat_registered" {
  th = "ต้องจดทะเบียนภาษีมูลค่าเพิ่ม", en = "needs VAT registration",
  source = "[3rd] FACTS.md §5",
  test = function(e, ch, p) return not ch.requires.vat_registered or e.vat_registered == true end,
}

-- Numeric minimums come from the channel's registry row; an enterprise that did not give the
-- figure has a gap (it must show it can supply).
requirement "monthly_capacity" {
  th = "กำลังการผลิตต่อเดือนต่ำกว่าที่ช่องทางกำหนด (หรือไม่ได้ระบุ)",
  en = "monthly supply capacity below the channel's minimum (or not given)",
  source = "[assumed] channel data",
  test = function(e, ch, p)
    local min = ch.min_monthly_capacity_units
    if min == nil then return true end
    local have = e.monthly_capacity_units
    return have ~= nil and have >= min
  end,
}

requirement "shelf_life" {
  th = "อายุการเก็บรักษาสินค้าสั้นกว่าที่ช่องทางกำหนด (หรือไม่ได้ระบุ)",
  en = "product shelf life shorter than the channel's minimum (or not given)",
  source = "[assumed] channel data",
  test = function(e, ch, p)
    local min = ch.min_shelf_life_days
    if min == nil then return true end
    local have = e.shelf_life_days
    return have ~= nil and have >= min
  end,
}

part "certifications" {
  th = "ใบอนุญาตและมาตรฐานที่มี", en = "licences and standards held",
  score = function(e, ch, p)
    local n = 0
    for _, id in ipairs({ "fda", "gmp", "haccp", "tisi", "tcps", "halal" }) do
      if e.certifications[id] then n = n + 1 end
    end
    return n * p.certification_points
  end,
}

part "capacity" {
  th = "กำลังการผลิต", en = "supply capacity",
  score = function(e, ch, p)
    local have, min = e.monthly_capacity_units, ch.min_monthly_capacity_units
    if have == nil then return 0 end
    if min == nil or min == 0 then return p.capacity_points // 2 end
    return math.min(p.capacity_points, have * p.capacity_points // (2 * min))
  end,
}

part "otop" {
  th = "ดาว OTOP", en = "OTOP stars",
  score = function(e, ch, p) return e.otop_stars * p.otop_star_points end,
}

part "digital" {
  th = "ความพร้อมดิจิทัล", en = "digital readiness",
  score = function(e, ch, p) return (e.digital_readiness or 0) * p.digital_points end,
}
