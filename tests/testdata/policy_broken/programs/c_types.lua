-- Test fixture (rules check): parameter 'max_employees' is declared an integer but holds a
-- string (line 5).
program { id = "TYPES", version = "1", effective_from = "2025-10-01",
  name = { th = "ชนิดข้อมูล", en = "types" } }
parameter "max_employees" { type = "integer", value = "50", th = "สูงสุด", en = "maximum" }
criterion "small" {
  th = "กิจการเล็ก", en = "small",
  fail = { th = "ไม่ผ่าน", en = "failed" },
  test = function(e, p) return e.employees <= tonumber(p.max_employees) end,
}
