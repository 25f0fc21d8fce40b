#include "smematch/identifier.h"

#include <gtest/gtest.h>

#include <string>

namespace smematch {
namespace {

// FACTS.md §3 (python-stdnum th/pin.py, th/moa.py).
TEST(Identifier, AcceptsTheKnownValidExamples) {
  for (const char* id : {"0105536112014", "3100600445635", "1101700203450"}) {
    Status s = ValidateIdentifier(id);
    EXPECT_TRUE(s.ok()) << id << ": " << s.ToString();
  }
}

TEST(Identifier, RejectsTheKnownBadChecksumsStatingTheExpectedDigit) {
  Status s = ValidateIdentifier("0994000617723");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("check digit"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("expected 1"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("is 3"), std::string::npos) << s.message();

  s = ValidateIdentifier("1234545678789");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("expected 1"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("is 9"), std::string::npos) << s.message();
}

TEST(Identifier, CheckDigitOfTheFirstTwelveDigits) {
  EXPECT_EQ(IdentifierCheckDigit("010553611201"), 4);
  EXPECT_EQ(IdentifierCheckDigit("310060044563"), 5);
  EXPECT_EQ(IdentifierCheckDigit("110170020345"), 0);
  EXPECT_EQ(IdentifierCheckDigit("099400061772"), 1);
  EXPECT_EQ(IdentifierCheckDigit("123454567878"), 1);
  // The 13th digit, if present, is ignored.
  EXPECT_EQ(IdentifierCheckDigit("0105536112019"), 4);
}

TEST(Identifier, CheckDigitWrapsElevenAndTenToOneAndZero) {
  // S mod 11 == 0 → 11 mod 10 = 1; S mod 11 == 1 → 10 mod 10 = 0.
  EXPECT_EQ(IdentifierCheckDigit("000000000000"), 1);  // S = 0
  EXPECT_EQ(IdentifierCheckDigit("000000000040"), 0);  // S = 4·3 = 12, 12 mod 11 = 1
  EXPECT_EQ(IdentifierCheckDigit("000000000005"), 1);  // S = 5·2 = 10 → 11 − 10 = 1
}

TEST(Identifier, EveryCorrectedCheckDigitValidates) {
  std::string id = "0994000617723";
  id[12] = static_cast<char>('0' + IdentifierCheckDigit(id));
  EXPECT_EQ(id, "0994000617721");
  Status s = ValidateIdentifier(id);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(Identifier, RejectsWrongLengthNamingTheLength) {
  Status s = ValidateIdentifier("010553611201");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("13 digits"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("12"), std::string::npos) << s.message();

  s = ValidateIdentifier("01055361120140");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("14"), std::string::npos) << s.message();

  s = ValidateIdentifier("");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("13 digits"), std::string::npos) << s.message();
}

TEST(Identifier, RejectsNonDigitNamingTheCharacter) {
  Status s = ValidateIdentifier("0-05536112014");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'-'"), std::string::npos) << s.message();

  s = ValidateIdentifier("010553611201x");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'x'"), std::string::npos) << s.message();
}

TEST(Identifier, RejectsLeadingNine) {
  // Correct check digit, but no Thai identifier starts with 9.
  std::string id = "910553611201?";
  id[12] = static_cast<char>('0' + IdentifierCheckDigit(id));
  Status s = ValidateIdentifier(id);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("9"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("check digit"), std::string::npos) << s.message();
}

TEST(Identifier, ClassifiesByLeadingDigits) {
  EXPECT_EQ(ClassifyIdentifier("0105536112014"), IdentifierKind::kJuristicPerson);
  EXPECT_EQ(ClassifyIdentifier("0994000617721"), IdentifierKind::kRevenueDept);
  EXPECT_EQ(ClassifyIdentifier("3100600445635"), IdentifierKind::kNationalId);
  EXPECT_EQ(ClassifyIdentifier("1101700203450"), IdentifierKind::kNationalId);
  // 09 not followed by 9 is still a juristic person number.
  EXPECT_EQ(ClassifyIdentifier("0905536112014"), IdentifierKind::kJuristicPerson);
  for (char lead = '1'; lead <= '8'; ++lead) {
    std::string id = std::string(1, lead) + "10170020345?";
    id[12] = static_cast<char>('0' + IdentifierCheckDigit(id));
    ASSERT_TRUE(ValidateIdentifier(id).ok()) << id;
    EXPECT_EQ(ClassifyIdentifier(id), IdentifierKind::kNationalId) << id;
  }
}

}  // namespace
}  // namespace smematch
