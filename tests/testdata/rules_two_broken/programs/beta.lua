-- Test fixture: criterion "small" declared twice, the second time on line 6.
program { id = "BETA", version = "1", effective_from = "2025-10-01",
  name = { th = "เบต้า", en = "beta" } }
criterion "small" { th = "กิจการเล็ก", en = "small", test = function(e) return true end,
  fail = { th = "ไม่ผ่าน", en = "failed" } }
criterion "small" { th = "กิจการเล็ก", en = "small", test = function(e) return true end,
  fail = { th = "ไม่ผ่าน", en = "failed" } }
