-- Test fixture (rules check): the fail text names {e.employes}, a field that does not exist
-- (criterion on line 5).
program { id = "PLACEHOLDER", version = "1", effective_from = "2025-10-01",
  name = { th = "ตัวแทนค่า", en = "placeholder" } }
criterion "small" {
  th = "กิจการเล็ก", en = "small",
  fail = { th = "จ้างงาน {e.employes} คน", en = "{e.employes} employees" },
  test = function(e) return e.employees <= 50 end,
}
