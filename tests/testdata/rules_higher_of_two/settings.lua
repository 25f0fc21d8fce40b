-- Test fixture: the OSMEP tie-break (rule_set_test.cc, TieBreakSettingLoadsFromADirectory).
settings {
  sme_size_tie_break = "higher_of_two",
}
