-- Test fixture: a syntax error on line 9 (rule_set_test.cc, BrokenDirectoryReportsEveryScript).
program { id = "ALPHA", version = "1", effective_from = "2025-10-01",
  name = { th = "อัลฟา", en = "alpha" } }

criterion "small" {
  th = "กิจการเล็ก", en = "small",
  fail = { th = "ไม่ผ่าน", en = "failed" },
  test = function(e)
    return e.employees < < 50
  end,
}
