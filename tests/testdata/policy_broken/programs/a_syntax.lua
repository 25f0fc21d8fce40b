-- Test fixture (rules check): a syntax error on line 8 ("<" twice).
program { id = "SYNTAX", version = "1", effective_from = "2025-10-01",
  name = { th = "ไวยากรณ์", en = "syntax" } }
criterion "small" {
  th = "กิจการเล็ก", en = "small",
  fail = { th = "ไม่ผ่าน", en = "failed" },
  test = function(e)
    return e.employees < < 50
  end,
}
