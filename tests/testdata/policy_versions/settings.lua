-- Settings shared by every program script.
-- การตั้งค่าที่ใช้ร่วมกันทุกโครงการ

settings {
  -- When employees and revenue point to different SME sizes (FACTS.md §2):
  --   "revenue_prevails": revenue decides; employees only when revenue is unknown
  --                       (the Thai text of Ministerial Regulation B.E. 2562 quoted by SME D Bank)
  --   "higher_of_two":    the larger of the two sizes (OSMEP's English page)
  -- เมื่อจำนวนการจ้างงานและรายได้ชี้ขนาดกิจการต่างกัน: "revenue_prevails" ให้ยึดรายได้เป็นหลัก
  sme_size_tie_break = "revenue_prevails",
}
