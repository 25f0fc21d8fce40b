// The /v1/screen body parser: the one-parse path (simdjson On-Demand over the envelope, the
// enterprise's raw text to the profile reader) must answer every body exactly as the DOM path
// (nlohmann/json, the enterprise serialized again) does: the same request and profile when
// valid, the same 400 detail and field errors when not.
#include "screen_request.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace smematch::server {
namespace {

std::shared_ptr<const RuleSet> Rules() {
  static std::shared_ptr<const RuleSet> rules = [] {
    auto r = RuleSet::Load(SMEMATCH_SOURCE_DIR "/rules");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return *r;
  }();
  return rules;
}

constexpr const char* kCompany =
    R"({"id":"CM-001","identifier":"0505558004121","name":"Doi Saket Coffee",)"
    R"("legal_form":"juristic_person","sector":"manufacturing","industry":"coffee_tea",)"
    R"("province":"TH-50","employees":12,"annual_revenue_thb":9500000,"years_operating":6})";
constexpr const char* kIndividual =
    R"({"id":"CM-005","identifier":"3500100882153","name":"ร้านสมุนไพรแม่ศรีนวล",)"
    R"("legal_form":"individual","sector":"manufacturing","industry":"herbs","province":"TH-50",)"
    R"("employees":2,"annual_revenue_thb":640000,"years_operating":15,"certifications":["fda"]})";

struct Outcome {
  bool ok = false;
  ScreenRequest request;
  std::string profile;  // AppendProfileJson of the parsed profile, when ok
  RequestProblem problem;
};

Outcome Run(std::string_view body, bool dom) {
  ProfileReader reader(&Rules()->provinces());
  Outcome o;
  EnterpriseProfile profile;
  std::vector<FieldError> field_errors;
  o.ok = dom ? ParseScreenRequestDom(body, *Rules(), &reader, &o.request, &profile,
                                     &field_errors, &o.problem)
             : ParseScreenRequest(body, *Rules(), &reader, &o.request, &profile, &field_errors,
                                  &o.problem);
  if (o.ok) AppendProfileJson(profile, &o.profile);
  return o;
}

std::string Errors(const RequestProblem& p) {
  std::string s = p.detail;
  for (const ProblemField& f : p.errors) s += "\n  " + f.pointer + ": " + f.detail;
  return s;
}

// Runs `body` through both paths and expects the same answer; returns it.
Outcome ExpectSame(const std::string& body) {
  SCOPED_TRACE(body.size() > 300 ? body.substr(0, 300) + "…" : body);
  Outcome once = Run(body, false), dom = Run(body, true);
  EXPECT_EQ(once.ok, dom.ok);
  EXPECT_EQ(Errors(once.problem), Errors(dom.problem));
  EXPECT_EQ(once.request.programs, dom.request.programs);
  EXPECT_EQ(once.request.as_of.ToString(), dom.request.as_of.ToString());
  EXPECT_EQ(once.request.lang, dom.request.lang);
  EXPECT_EQ(once.request.explain, dom.request.explain);
  EXPECT_EQ(once.profile, dom.profile);
  return once;
}

std::string Screen(const std::string& enterprise, const std::string& rest = "") {
  return R"({"enterprise":)" + enterprise + rest + "}";
}

TEST(ScreenRequest, ValidBodiesReadAsTheDomReadsThem) {
  for (const std::string& body : std::vector<std::string>{
           Screen(kCompany),
           Screen(kIndividual, R"(,"programs":["BSC","ITC"],"lang":"en","as_of":"2026-11-21")"
                               R"(,"explain":false)"),
           std::string(R"({"lang":"th","explain":true,"enterprise":)") + kIndividual + "}",
           Screen(kCompany, R"(,"programs":[])"),
           Screen(kCompany, R"(,"programs":["BSC","BSC"])"),
           " \n\t{ \"enterprise\" : " + std::string(kCompany) + " , \"lang\" : \"en\" } \n",
           // Escapes in keys and strings, numbers written differently.
           R"({"enterpris\u0065":{"id":"CM-9","name":"\u0e23\u0e49\u0e32\u0e19 \/ \"x\"",)"
           R"("employees":12.0,"annual_revenue_thb":9.5e6,"years_operating":6},"l\u0061ng":"t\u0068"})",
           R"({"enterprise":{"id":"CM-9","name":"x","employees":-0,"annual_revenue_thb":0}})",
           R"({"enterprise":{"id":"CM-9","name":"\ud83d\ude00 emoji"}})",
           "\xef\xbb\xbf" + Screen(kCompany),  // a UTF-8 byte order mark
       }) {
    Outcome o = ExpectSame(body);
    EXPECT_TRUE(o.ok) << body << "\n" << Errors(o.problem);
  }
}

TEST(ScreenRequest, BadBodiesGetTheSameErrors) {
  const std::string company = kCompany;
  std::vector<std::string> bodies = {
      // Not JSON, not an object.
      "", "   ", "{", "{\"enterprise\": {", "null", "[]", "[1,2]", "\"text\"", "1", "true",
      "{\"enterprise\" " + company + "}", "{'enterprise':" + company + "}",
      Screen(company) + "x", Screen(company) + "{}", Screen(company) + ",", Screen(company) + "]",
      Screen(company, ",") , "{\"enterprise\":" + company + ",,}",
      // Invalid text: UTF-8, lone surrogates, raw control characters, a BOM.
      Screen(R"({"id":"x","name":"\xff"})"), Screen(R"({"id":"x","name":"\xc0\xaf"})"),
      Screen(R"({"id":"x","name":"\ud800"})"), Screen(R"({"id":"x","name":"\udc00"})"),
      Screen(R"({"id":"x","name":"\ud800\u0041"})"), Screen(R"({"id":"x","name":"\uZZZZ"})"),
      Screen("{\"id\":\"x\",\"name\":\"a\x01z\"}"), Screen("{\"id\":\"x\",\"name\":\"a\tz\"}"),
      Screen(R"({"id":"x","name":"y"})", ",\"lang\":\"e\nn\""),
      Screen(R"({"id":"x","name":"y","employees":1e400})"),
      Screen(R"({"id":"x","name":"y","employees":12345678901234567890123})"),
      Screen(R"({"id":"x","name":"y","employees":01})"),
      Screen(R"({"id":"x","name":"y","employees":1.})"),
      Screen(company, R"(,"explain":truex)"), Screen(company, R"(,"explain":tru)"),
      // Members of the wrong type or value.
      "{}", R"({"programs":["BSC"]})", Screen("null"), Screen("[]"), Screen("\"CM-001\""),
      Screen(company, R"(,"programs":"BSC")"), Screen(company, R"(,"programs":["BSC",7,"NOPE"])"),
      Screen(company, R"(,"programs":{"a":1})"), Screen(company, R"(,"lang":"fr")"),
      Screen(company, R"(,"lang":1)"), Screen(company, R"(,"lang":null)"),
      Screen(company, R"(,"as_of":"2026-02-30")"), Screen(company, R"(,"as_of":20261121)"),
      Screen(company, R"(,"as_of":"21/11/2026")"), Screen(company, R"(,"explain":"true")"),
      Screen(company, R"(,"explain":1)"), Screen(company, R"(,"a/b~":1,"zzz":{})"),
      Screen(company, R"(,"Enterprise":{})"),
      R"({"enterprise":{"id":"x","name":"y","employees":-3,"province":"TH-99"},)"
      R"("programs":["BSC","NOPE"],"lang":"fr","as_of":"2026-02-30"})",
      // Profile field errors (under /enterprise).
      Screen(R"({"id":"x"})"), Screen(R"({"name":"y"})"), Screen(R"({"id":"x","name":"y","colour":1})"),
      Screen(R"({"id":"x","name":"y","employees":"12"})"),
      Screen(R"({"id":"x","name":"y","certifications":"fda"})"),
      // Nested deeper than the limit: before parsing, or inside the enterprise.
      Screen(R"({"id":"x","name":"y","extra":)" + std::string(20000, '[') +
             std::string(20000, ']') + "}"),
      Screen(R"({"id":"x","name":"y","extra":)" + std::string(40, '[') + std::string(40, ']') +
             "}"),
      Screen(R"({"id":"x","name":"y","extra":)" + std::string(20, '[') + std::string(20, ']') +
             "}"),
  };
  for (const std::string& body : bodies) {
    Outcome o = ExpectSame(body);
    EXPECT_FALSE(o.ok) << body;
  }
}

// Duplicate members: the DOM keeps the last; a body the one-parse path cannot read the same
// way goes to the DOM path, so the answer does not change.
TEST(ScreenRequest, DuplicateMembersReadAsTheDomReadsThem) {
  const std::string company = kCompany, individual = kIndividual;
  Outcome o = ExpectSame(R"({"enterprise":)" + company + R"(,"enterprise":)" + individual + "}");
  ASSERT_TRUE(o.ok) << Errors(o.problem);
  EXPECT_NE(o.profile.find("CM-005"), std::string::npos);
  o = ExpectSame(Screen(company, R"(,"lang":"en","lang":"th")"));
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.request.lang, Lang::kTh);
  o = ExpectSame(Screen(company, R"(,"lang":"fr","lang":"en")"));
  EXPECT_TRUE(o.ok);  // the bad first value is overwritten
  o = ExpectSame(Screen(R"({"id":"x","name":"y","employees":12,"employees":500})"));
  ASSERT_TRUE(o.ok) << Errors(o.problem);
  EXPECT_NE(o.profile.find("\"employees\":500"), std::string::npos) << o.profile;
  o = ExpectSame(Screen(company, R"(,"programs":["BSC"],"programs":["ITC"])"));
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.request.programs, std::vector<std::string>{"ITC"});
  o = ExpectSame(Screen(company, R"(,"as_of":"2026-01-01","explain":false,"as_of":"2026-11-21")"));
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.request.as_of.ToString(), "2026-11-21");
  ExpectSame(Screen(company, R"(,"programs":["BSC"],"programs":["NOPE"])"));
}

// A large enterprise text is read the DOM's way: the DOM path parses it as nlohmann writes it
// again (here without the spaces), under the record limit however long the raw text is.
TEST(ScreenRequest, LargeEnterpriseTextReadsAsTheDomReadsIt) {
  for (size_t spaces : {1000, 20 * 1024, 70 * 1024}) {
    Outcome o = ExpectSame(Screen(R"({"id":"x",)" + std::string(spaces, ' ') + R"("name":"y"})"));
    EXPECT_TRUE(o.ok) << Errors(o.problem);
  }
}

}  // namespace
}  // namespace smematch::server
