-- Test fixture (rules check): two versions of GAP; version 1 ends on 2026-09-30, version 2
-- starts on 2026-11-01: no version in October 2026 (a warning, on line 4 of version 2).
program { id = "GAP", version = "1",
  effective_from = "2025-10-01", effective_to = "2026-09-30",
  name = { th = "ช่องว่าง", en = "gap" } }
criterion "small" {
  th = "กิจการเล็ก", en = "small", fail = { th = "ไม่ผ่าน", en = "failed" },
  test = function(e) return e.employees <= 50 end,
}
