-- Test fixture (rules check): criterion 'small' has no English fail text (line 4).
program { id = "TEXTS", version = "1", effective_from = "2025-10-01",
  name = { th = "ข้อความ", en = "texts" } }
criterion "small" {
  th = "กิจการเล็ก", en = "small",
  fail = { th = "ไม่ผ่าน" },
  test = function(e) return e.employees <= 50 end,
}
