-- Test fixture (rules check): criterion 'small' declared twice, the second time on line 8.
program { id = "DUPLICATE", version = "1", effective_from = "2025-10-01",
  name = { th = "ซ้ำ", en = "duplicate" } }
criterion "small" {
  th = "กิจการเล็ก", en = "small", fail = { th = "ไม่ผ่าน", en = "failed" },
  test = function(e) return e.employees <= 50 end,
}
criterion "small" {
  th = "กิจการเล็ก", en = "small", fail = { th = "ไม่ผ่าน", en = "failed" },
  test = function(e) return e.employees <= 50 end,
}
