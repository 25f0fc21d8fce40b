-- Test fixture: one criterion that always passes; its pass reason shows the SME size.
program { id = "SIZE", version = "1", effective_from = "2025-10-01",
  name = { th = "ขนาด", en = "size" } }
criterion "size" { th = "ขนาด", en = "size",
  test = function(e) return true end,
  values = function(e) return { size = sme_size(e) } end,
  pass = { th = "ขนาด {v.size}", en = "size {v.size}" },
  fail = { th = "ไม่ผ่าน", en = "failed" } }
