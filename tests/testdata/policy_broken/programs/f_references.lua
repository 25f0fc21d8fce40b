-- Test fixture (rules check): references that only fail when an applicant reaches them:
-- an unknown profile field (line 13), an unknown parameter (line 14), an unknown context
-- value (line 15), e.participation (line 16); parameter 'unused' is never read (line 7).
program { id = "REFERENCES", version = "1", effective_from = "2025-10-01",
  name = { th = "การอ้างอิง", en = "references" } }
parameter "min_years" { value = 2, unit = "years", th = "ปีขั้นต่ำ", en = "minimum years" }
parameter "unused" { value = 1, th = "ไม่ได้ใช้", en = "unused" }
criterion "established" {
  th = "ดำเนินกิจการมานาน", en = "established",
  fail = { th = "ไม่ผ่าน {p.min_years}", en = "fewer than {p.min_years} years" },
  test = function(e, p, c)
    -- e.this_is_a_comment and "e.in_a_string" are not references
    return e.years_operatng >= p.min_years
      and e.employees <= p.max_employees
      and c.fiscal_yr > 2025
      and e.participation ~= nil
  end,
}
