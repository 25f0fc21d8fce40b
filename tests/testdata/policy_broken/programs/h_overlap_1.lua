-- Test fixture (rules check): two versions of OVERLAP; version 1 ends on 2026-10-31 but
-- version 2 starts on 2026-10-01 (overlap reported on version 2's effective_from, line 4).
program { id = "OVERLAP", version = "1",
  effective_from = "2025-10-01", effective_to = "2026-10-31",
  name = { th = "ซ้อนกัน", en = "overlap" } }
criterion "small" {
  th = "กิจการเล็ก", en = "small", fail = { th = "ไม่ผ่าน", en = "failed" },
  test = function(e) return e.employees <= 50 end,
}
