-- Test fixture (rules check): outside the sandbox. io at the top level fails while loading
-- (line 5); os inside a test only when an applicant reaches it (line 10).
program { id = "SANDBOX", version = "1", effective_from = "2025-10-01",
  name = { th = "แซนด์บ็อกซ์", en = "sandbox" } }
local secrets = io.open("/etc/passwd")
criterion "small" {
  th = "กิจการเล็ก", en = "small",
  fail = { th = "ไม่ผ่าน", en = "failed" },
  test = function(e)
    os.execute("rm -rf /")
    return true
  end,
}
