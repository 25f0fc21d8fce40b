// ProvinceTable: parsing provinces.csv and finding a province by its ISO 3166-2:TH code.
#include "smematch/provinces.h"

#include <gtest/gtest.h>

namespace smematch {
namespace {

constexpr char kHeader[] =
    "iso_code,name_th,name_en,region_6,region_nesdb,moi_group_2009,diprom_center_provisional,"
    "upper_north_8\n";

ProvinceTable Parse(const std::string& rows) {
  Result<ProvinceTable> t = ProvinceTable::Parse(kHeader + rows);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(*t) : ProvinceTable();
}

TEST(ProvinceTable, FindsTwoDigitCodesAndOthers) {
  ProvinceTable t = Parse(
      "TH-50,เชียงใหม่,Chiang Mai,North,North,UN1,1,yes\n"
      "TH-10,กรุงเทพมหานคร,Bangkok,Central,Bangkok & vicinities,(none),HQ?,no\n"
      "TH-S,พัทยา,Pattaya,East,East,(none),HQ?,no\n");
  ASSERT_EQ(t.all().size(), 3u);
  ASSERT_NE(t.Find("TH-10"), nullptr);
  EXPECT_EQ(t.Find("TH-10")->name_en, "Bangkok");
  ASSERT_NE(t.Find("TH-50"), nullptr);
  EXPECT_EQ(t.Find("TH-50")->name_en, "Chiang Mai");
  EXPECT_TRUE(t.Find("TH-50")->upper_north);
  ASSERT_NE(t.Find("TH-S"), nullptr);  // not two digits: found by search
  EXPECT_EQ(t.Find("TH-S")->name_en, "Pattaya");
  for (const char* unknown : {"TH-11", "TH-99", "TH-00", "TH-5", "TH-500", "XX-10", "th-10", ""}) {
    EXPECT_EQ(t.Find(unknown), nullptr) << unknown;
  }
}

TEST(ProvinceTable, EmptyTableFindsNothing) {
  ProvinceTable t;
  EXPECT_EQ(t.Find("TH-10"), nullptr);
  EXPECT_EQ(t.Find("TH-S"), nullptr);
}

}  // namespace
}  // namespace smematch
