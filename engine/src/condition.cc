#include "condition.h"

#include <bit>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <type_traits>

#include "smematch/identifier.h"

namespace smematch {
namespace {

using Value = Condition::Value;
using Type = Condition::Value::Type;
using Op = Condition::Op;

constexpr uint64_t Bit(ProfileField f) { return uint64_t{1} << static_cast<int>(f); }

// Province facts a condition may read, in Province order.
enum class Fact : uint8_t { kIsoCode, kNameTh, kNameEn, kRegion, kRegionNesdb, kDipromCenter, kUpperNorth };
constexpr std::string_view kFacts[] = {"iso_code", "name_th", "name_en", "region",
                                       "region_nesdb", "diprom_center", "upper_north"};

Value Nil() { return {}; }
Value Bool(bool b) {
  Value v;
  v.type = Type::kBool;
  v.boolean = b;
  return v;
}
Value Number(double n) {  // a Lua float
  Value v;
  v.type = Type::kNumber;
  v.number = n;
  return v;
}
Value Integer(int64_t i) {  // a Lua integer
  Value v;
  v.type = Type::kNumber;
  v.is_integer = true;
  v.integer = i;
  v.number = static_cast<double>(i);
  return v;
}
Value String(std::string_view s) {
  Value v;
  v.type = Type::kString;
  v.string = s;
  return v;
}
// The ids a coded field or helper can return: legal forms, sectors, industries, SME sizes and
// identifier kinds. Values read from the profile point into these arrays, and so do constants of
// a condition equal to one of them, so that an equal pair is found equal by its pointers.
constexpr std::string_view kIdentifierKinds[] = {"juristic_person", "revenue_department", "national_id"};

Value Interned(std::string_view id) {
  Value v = String(id);
  v.interned = true;
  return v;
}

// Returns the engine's own copy of `s` if it is a label id, else `s` itself (not interned).
Value InternIfLabel(std::string_view s) {
  for (std::span<const EnumLabel> labels :
       {LegalFormLabels(), SectorLabels(), IndustryLabels(), SmeSizeLabels()}) {
    for (const EnumLabel& l : labels) {
      if (l.id == s) return Interned(l.id);
    }
  }
  for (std::string_view kind : kIdentifierKinds) {
    if (kind == s) return Interned(kind);
  }
  return String(s);
}

Value Table() {
  Value v;
  v.type = Type::kTable;
  return v;
}

// Lua 5.4's number order and equality: integers exactly, floats as doubles, an integer against
// a float by their mathematical values (long double holds every int64 and every double).
bool NumberLess(const Value& a, const Value& b, bool or_equal) {
  if (a.is_integer && b.is_integer) return or_equal ? a.integer <= b.integer : a.integer < b.integer;
  if (!a.is_integer && !b.is_integer) return or_equal ? a.number <= b.number : a.number < b.number;
  const long double x = a.is_integer ? static_cast<long double>(a.integer) : a.number;
  const long double y = b.is_integer ? static_cast<long double>(b.integer) : b.number;
  return or_equal ? x <= y : x < y;
}
bool NumberEqual(const Value& a, const Value& b) {
  if (a.is_integer && b.is_integer) return a.integer == b.integer;
  if (!a.is_integer && !b.is_integer) return a.number == b.number;
  const long double x = a.is_integer ? static_cast<long double>(a.integer) : a.number;
  const long double y = b.is_integer ? static_cast<long double>(b.integer) : b.number;
  return x == y;
}

bool Truthy(const Value& v) {
  return v.type != Type::kNil && !(v.type == Type::kBool && !v.boolean);
}

}  // namespace

void ConditionApplicant::Set(const EnterpriseProfile& p, const ProvinceTable& provinces,
                             SizeTieBreak tie_break) {
  profile = &p;
  province = p.province ? provinces.Find(*p.province) : nullptr;
  size.reset();
  size_missing = 0;
  if (p.sector) {
    size = ClassifySmeSize(*p.sector, p.employees, p.annual_revenue_thb, tie_break);
  } else {
    size_missing |= Bit(ProfileField::kSector);
  }
  if (!p.employees && !p.annual_revenue_thb) {
    size_missing |= Bit(ProfileField::kEmployees) | Bit(ProfileField::kAnnualRevenueThb);
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing: recursive descent over Lua's expression grammar, restricted to the subset above.

class Condition::Parser {
 public:
  Parser(Condition* out, std::string_view text, std::span<const ParameterInfo> params)
      : out_(out), s_(text), params_(params) {}

  Status Parse() {
    Next();
    int root = Expression();
    static constexpr std::string_view kUnsupported[] = {"..", "%", "//", "^", "&", "|", "~", "<<", ">>",
                                                        "!", "[", ":", "::", "{", "#", ";", "=", "--"};
    if (error_.empty() && tok_ == kSymbol &&
        std::find(std::begin(kUnsupported), std::end(kUnsupported), tok_text_) != std::end(kUnsupported)) {
      Fail("'" + std::string(tok_text_) + "' is not supported in a condition; write a function");
    }
    if (error_.empty() && tok_ != kEnd) Fail("unexpected '" + std::string(tok_text_) + "' after the condition");
    if (!error_.empty()) return InvalidArgumentError(error_);
    out_->root_ = root;
    return Status::Ok();
  }

 private:
  enum Tok { kEnd, kName, kNumber, kString, kSymbol };

  // --- tokens -------------------------------------------------------------------------------
  void Next() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    tok_pos_ = pos_;
    if (pos_ >= s_.size()) {
      tok_ = kEnd;
      tok_text_ = "end of the condition";
      return;
    }
    const char ch = s_[pos_];
    if (std::isalpha(static_cast<unsigned char>(ch)) || ch == '_') {
      size_t end = pos_;
      while (end < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '_')) ++end;
      Take(kName, end);
      return;
    }
    if (std::isdigit(static_cast<unsigned char>(ch)) ||
        (ch == '.' && pos_ + 1 < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_ + 1])))) {
      size_t end = pos_;
      if (ch == '0' && end + 1 < s_.size() && (s_[end + 1] == 'x' || s_[end + 1] == 'X')) {
        Fail("hexadecimal numbers are not supported in a condition");
        Take(kEnd, s_.size());
        return;
      }
      while (end < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '.' ||
                                 ((s_[end] == '+' || s_[end] == '-') && (s_[end - 1] == 'e' || s_[end - 1] == 'E')))) {
        ++end;
      }
      Take(kNumber, end);
      return;
    }
    if (ch == '"' || ch == '\'') {
      string_.clear();
      size_t i = pos_ + 1;
      for (; i < s_.size() && s_[i] != ch; ++i) {
        if (s_[i] == '\n') break;
        if (s_[i] == '\\') {
          if (i + 1 >= s_.size()) break;
          const char esc = s_[++i];
          if (esc == '\\' || esc == '"' || esc == '\'') {
            string_ += esc;
          } else {
            Fail("only the escapes \\\\, \\\" and \\' are supported in a condition's strings");
            Take(kEnd, s_.size());
            return;
          }
        } else {
          string_ += s_[i];
        }
      }
      if (i >= s_.size() || s_[i] != ch) {
        Fail("unfinished string");
        Take(kEnd, s_.size());
        return;
      }
      Take(kString, i + 1);
      return;
    }
    static constexpr std::string_view kTwo[] = {"==", "~=", "<=", ">=", "--", "..", "//", "::", "<<", ">>"};
    for (std::string_view two : kTwo) {
      if (s_.substr(pos_, 2) == two) {
        Take(kSymbol, pos_ + 2);
        return;
      }
    }
    Take(kSymbol, pos_ + 1);
  }

  void Take(Tok t, size_t end) {
    tok_ = t;
    tok_text_ = s_.substr(pos_, end - pos_);
    pos_ = end;
  }

  bool IsSymbol(std::string_view sym) const { return tok_ == kSymbol && tok_text_ == sym; }
  bool IsKeyword(std::string_view kw) const { return tok_ == kName && tok_text_ == kw; }

  void Fail(std::string message) { FailAt(tok_pos_, std::move(message)); }
  void FailAt(size_t pos, std::string message) {
    if (error_.empty()) error_ = "column " + std::to_string(pos + 1) + ": " + std::move(message);
  }

  bool Expect(std::string_view sym) {
    if (IsSymbol(sym)) {
      Next();
      return true;
    }
    Fail("expected '" + std::string(sym) + "' but found '" + std::string(tok_text_) + "'");
    return false;
  }

  // Returns the name at the current token and moves past it; name_pos_ keeps where it began.
  std::string ExpectName(std::string_view after) {
    if (tok_ != kName) {
      Fail("expected a name after '" + std::string(after) + "'");
      return {};
    }
    std::string name(tok_text_);
    name_pos_ = tok_pos_;
    Next();
    return name;
  }

  // --- nodes --------------------------------------------------------------------------------
  // Adds a node; refuses trees deeper than kMaxDepth, since evaluation recurses once per level
  // (Lua's own parser stops at 200 levels of nesting, but not at long chains such as a + a + …).
  int Add(Node n) {
    if (!error_.empty()) return 0;  // operands may be missing: nothing is built after an error
    int depth = 1;
    for (int child : {n.a, n.b, n.c}) {
      if (child >= 0) depth = std::max(depth, 1 + depths_[static_cast<size_t>(child)]);
    }
    if (depth > kMaxDepth) {
      Fail("the condition is nested or chained more than " + std::to_string(kMaxDepth) +
           " operators deep; write a function");
      return 0;
    }
    out_->nodes_.push_back(n);
    depths_.push_back(depth);
    return static_cast<int>(out_->nodes_.size()) - 1;
  }
  int Constant(Value v) {
    out_->constants_.push_back(v);
    Node n;
    n.op = Op::kConst;
    n.index = static_cast<int32_t>(out_->constants_.size()) - 1;
    return Add(n);
  }
  std::string_view Intern(std::string s) {
    out_->strings_.push_back(std::move(s));
    return out_->strings_.back();
  }
  int Unary(Op op, int a) {
    Node n;
    n.op = op;
    n.a = a;
    return Add(n);
  }
  int Binary(Op op, int a, int b) {
    Node n;
    n.op = op;
    n.a = a;
    n.b = b;
    return Add(n);
  }

  // --- grammar (Lua precedence: or < and < comparison < + - < * / < unary) -------------------
  int Expression() {
    int left = And();
    while (error_.empty() && IsKeyword("or")) {
      Next();
      left = Binary(Op::kOr, left, And());
    }
    return left;
  }

  int And() {
    int left = Comparison();
    while (error_.empty() && IsKeyword("and")) {
      Next();
      left = Binary(Op::kAnd, left, Comparison());
    }
    return left;
  }

  int Comparison() {
    int left = Sum();
    while (error_.empty() && tok_ == kSymbol) {
      static constexpr std::pair<std::string_view, Op> kOps[] = {
          {"==", Op::kEq}, {"~=", Op::kNe}, {"<", Op::kLt}, {"<=", Op::kLe}, {">", Op::kGt}, {">=", Op::kGe}};
      const auto* found = std::find_if(std::begin(kOps), std::end(kOps),
                                       [&](const auto& o) { return o.first == tok_text_; });
      if (found == std::end(kOps)) break;
      Next();
      left = Binary(found->second, left, Sum());
    }
    return left;
  }

  int Sum() {
    int left = Product();
    while (error_.empty() && (IsSymbol("+") || IsSymbol("-"))) {
      Op op = IsSymbol("+") ? Op::kAdd : Op::kSub;
      Next();
      left = Binary(op, left, Product());
    }
    return left;
  }

  int Product() {
    int left = UnaryExpression();
    while (error_.empty() && (IsSymbol("*") || IsSymbol("/"))) {
      Op op = IsSymbol("*") ? Op::kMul : Op::kDiv;
      Next();
      left = Binary(op, left, UnaryExpression());
    }
    return left;
  }

  int UnaryExpression() {
    // Parentheses and unary operators recurse while parsing without adding a level to every
    // node: bounded here too.
    if (++nesting_ > kMaxDepth) {
      Fail("the condition is nested or chained more than " + std::to_string(kMaxDepth) +
           " operators deep; write a function");
      return 0;
    }
    struct Leave {
      int* n;
      ~Leave() { --*n; }
    } leave{&nesting_};
    if (IsKeyword("not")) {
      Next();
      return Unary(Op::kNot, UnaryExpression());
    }
    if (IsSymbol("-")) {
      Next();
      return Unary(Op::kNegate, UnaryExpression());
    }
    int operand = Primary();
    if (error_.empty() && IsSymbol("^")) Fail("'^' is not supported in a condition; write a function");
    return operand;
  }

  int Primary() {
    if (!error_.empty()) return 0;
    switch (tok_) {
      case kEnd:
        Fail("expected a value but the condition ends");
        return 0;
      case kNumber: {
        // As Lua: digits only are an integer (a float if they overflow), anything else a float.
        const char* begin = tok_text_.data();
        const char* end = begin + tok_text_.size();
        if (tok_text_.find_first_not_of("0123456789") == std::string_view::npos) {
          int64_t i = 0;
          auto [ptr, ec] = std::from_chars(begin, end, i);
          if (ec == std::errc() && ptr == end) {
            Next();
            return Constant(Integer(i));
          }
        }
        double v = 0;
        auto [ptr, ec] = std::from_chars(begin, end, v);
        if (ec != std::errc() || ptr != end) {
          Fail("malformed number '" + std::string(tok_text_) + "'");
          return 0;
        }
        Next();
        return Constant(Number(v));
      }
      case kString: {
        std::string_view v = Intern(string_);
        Next();
        return Constant(InternIfLabel(v));
      }
      case kSymbol:
        if (IsSymbol("(")) {
          Next();
          int inner = Expression();
          Expect(")");
          return inner;
        }
        Fail("'" + std::string(tok_text_) + "' is not supported in a condition; write a function");
        return 0;
      case kName:
        break;
    }
    const std::string name = ExpectName("");
    const size_t at = name_pos_;
    static constexpr std::string_view kKeywords[] = {"and", "break", "do", "else", "elseif", "end",
        "for", "function", "goto", "if", "in", "local", "or", "repeat", "return", "then", "until", "while"};
    if (std::find(std::begin(kKeywords), std::end(kKeywords), name) != std::end(kKeywords)) {
      FailAt(at, "'" + name + "' is not supported in a condition; write a function");
      return 0;
    }
    if (name == "true" || name == "false") return Constant(Bool(name == "true"));
    if (name == "nil") return Constant(Nil());
    if (name == "e") return Applicant();
    if (name == "p") return Parameter();
    if (name == "c") return Context();
    if (IsSymbol("(")) return Call(name, at);
    FailAt(at, "unknown name '" + name + "'; a condition reads e.<field>, p.<parameter>, c.<value> and the helpers");
    return 0;
  }

  int Applicant() {
    if (!Expect(".")) return 0;
    const std::string field = ExpectName("e.");
    if (!error_.empty()) return 0;
    std::optional<ProfileField> f = FieldByName(field);
    if (!f) {
      FailAt(name_pos_, "unknown profile field 'e." + field + "'");
      return 0;
    }
    if (*f == ProfileField::kParticipation) {
      FailAt(name_pos_, "read e.participation with participated(e, program, from_fy, to_fy) or man_days_used(e, program, fiscal_year)");
      return 0;
    }
    Node n;
    if (!IsSymbol(".")) {
      n.op = Op::kField;
      n.arg = static_cast<uint8_t>(*f);
      return Add(n);
    }
    Next();
    const std::string member = ExpectName("e." + field + ".");
    if (!error_.empty()) return 0;
    if (*f == ProfileField::kCertifications) {
      int i = EnumIndex(CertificationLabels(), member);
      if (i < 0) {
        FailAt(name_pos_, "unknown certification '" + member + "'; known: " + KnownIds(CertificationLabels()));
        return 0;
      }
      n.op = Op::kCertification;
      n.arg = static_cast<uint8_t>(i);
      return Add(n);
    }
    if (*f == ProfileField::kNeeds) {
      int i = EnumIndex(DimensionLabels(), member);
      if (i < 0) {
        FailAt(name_pos_, "unknown mentoring dimension '" + member + "'; known: " + KnownIds(DimensionLabels()));
        return 0;
      }
      n.op = Op::kNeed;
      n.arg = static_cast<uint8_t>(i);
      return Add(n);
    }
    FailAt(name_pos_, "e." + field + " has no members");
    return 0;
  }

  const ParameterInfo* FindParameter(const std::string& name) {
    for (const ParameterInfo& p : params_) {
      if (p.name == name) return &p;
    }
    std::string declared;
    for (const ParameterInfo& p : params_) {
      if (!declared.empty()) declared += ", ";
      declared += p.name;
    }
    FailAt(name_pos_, "unknown parameter 'p." + name + "'; declared: " + (declared.empty() ? "none" : declared));
    return nullptr;
  }

  static std::optional<Value> ScalarOf(const nlohmann::json& j, Condition* out) {
    if (j.is_boolean()) return Bool(j.get<bool>());
    if (j.is_number_integer() && !(j.is_number_unsigned() && j.get<uint64_t>() > INT64_MAX)) {
      return Integer(j.get<int64_t>());
    }
    if (j.is_number()) return Number(j.get<double>());
    if (j.is_string()) {
      out->strings_.push_back(j.get<std::string>());
      return InternIfLabel(out->strings_.back());
    }
    return std::nullopt;
  }

  int Parameter() {
    if (!Expect(".")) return 0;
    const std::string name = ExpectName("p.");
    if (!error_.empty()) return 0;
    const ParameterInfo* p = FindParameter(name);
    if (p == nullptr) return 0;
    if (p->value.is_array()) {
      FailAt(name_pos_, "list parameter 'p." + name + "' can only be the list of one_of(value, p." + name + ")");
      return 0;
    }
    std::optional<Value> v = ScalarOf(p->value, out_);
    if (!v) {
      FailAt(name_pos_, "parameter 'p." + name + "' has a value conditions cannot read");
      return 0;
    }
    return Constant(*v);
  }

  int Context() {
    if (!Expect(".")) return 0;
    const std::string name = ExpectName("c.");
    if (!error_.empty()) return 0;
    Node n;
    if (name == "fiscal_year") n.op = Op::kFiscalYear;
    else if (name == "fiscal_year_be") n.op = Op::kFiscalYearBe;
    else if (name == "as_of") n.op = Op::kAsOf;
    else {
      FailAt(name_pos_, "unknown context value 'c." + name + "'; known: as_of, fiscal_year, fiscal_year_be");
      return 0;
    }
    return Add(n);
  }

  // A call of helper `fn`; the current token is its '('. Arguments are read as Lua would
  // evaluate them, left to right.
  int Call(const std::string& fn, size_t at) {
    struct Helper {
      std::string_view name;
      Op op;
      int args;  // including e where the helper takes the applicant first
      bool takes_e;
    };
    static constexpr Helper kHelpers[] = {
        {"sme_size", Op::kSmeSize, 1, true},
        {"max_need", Op::kMaxNeed, 1, true},
        {"total_need", Op::kTotalNeed, 1, true},
        {"certification_count", Op::kCertCount, 1, true},
        {"participated", Op::kParticipated, 4, true},
        {"man_days_used", Op::kManDaysUsed, 3, true},
        {"one_of", Op::kOneOf, 2, false},
        {"province", Op::kProvinceFact, 1, false},
        {"identifier_kind", Op::kIdentifierKind, 1, false},
        {"clamp", Op::kClamp, 3, false},
    };
    const Helper* h = nullptr;
    for (const Helper& candidate : kHelpers) {
      if (candidate.name == fn) h = &candidate;
    }
    if (h == nullptr) {
      FailAt(at, "'" + fn + "' is not a helper conditions can call; known: sme_size, max_need, total_need, "
           "certification_count, participated, man_days_used, one_of, province, identifier_kind, clamp");
      return 0;
    }
    const std::string arity = fn + " takes " + std::to_string(h->args) + " argument" +
                              (h->args == 1 ? "" : "s");
    Next();  // '('
    std::vector<int> args;
    int list = -1;  // one_of's list parameter
    for (int i = 0; i < h->args && error_.empty(); ++i) {
      if (i > 0 && !IsSymbol(",")) {
        Fail(arity);
        return 0;
      }
      if (i > 0) Next();
      if (i == 0 && h->takes_e) {
        if (!(tok_ == kName && tok_text_ == "e")) {
          Fail(fn + "(e, ...) expects the applicant e as its first argument");
          return 0;
        }
        Next();
        if (IsSymbol(".")) {
          Fail(fn + "(e, ...) expects the applicant e as its first argument");
          return 0;
        }
        args.push_back(-1);
      } else if (i == 1 && h->op == Op::kOneOf) {
        list = ListParameter();
        args.push_back(-1);
      } else {
        args.push_back(Expression());
      }
    }
    if (!error_.empty()) return 0;
    if (!IsSymbol(")")) {
      Fail(IsSymbol(",") ? arity : "expected ')' to close the call of " + fn);
      return 0;
    }
    Next();
    Node n;
    n.op = h->op;
    switch (h->op) {
      case Op::kParticipated:
      case Op::kManDaysUsed:
        if (!ConstantString(args[1])) {
          Fail(fn + ": the program must be a text such as \"BSC\" or a text parameter");
          return 0;
        }
        n.index = out_->nodes_[static_cast<size_t>(args[1])].index;
        n.a = args[2];
        if (h->op == Op::kParticipated) n.b = args[3];
        return Add(n);
      case Op::kOneOf:
        n.a = args[0];
        n.index = list;
        return Add(n);
      case Op::kProvinceFact: {
        const Node& arg = out_->nodes_[static_cast<size_t>(args[0])];
        if (arg.op != Op::kField || arg.arg != static_cast<uint8_t>(ProfileField::kProvince)) {
          Fail("conditions read province(e.province).<fact>; write a function for other codes");
          return 0;
        }
        n.a = args[0];
        if (!IsSymbol(".")) {
          Fail("province(e.province) is read through one of its facts: " + FactList());
          return 0;
        }
        Next();
        const std::string fact = ExpectName("province(e.province).");
        if (!error_.empty()) return 0;
        const auto* f = std::find(std::begin(kFacts), std::end(kFacts), fact);
        if (f == std::end(kFacts)) {
          FailAt(name_pos_, "unknown province fact '" + fact + "'; known: " + FactList());
          return 0;
        }
        n.arg = static_cast<uint8_t>(f - std::begin(kFacts));
        return Add(n);
      }
      case Op::kIdentifierKind:
        n.a = args[0];
        return Add(n);
      case Op::kClamp:
        n.a = args[0];
        n.b = args[1];
        n.c = args[2];
        return Add(n);
      default:
        return Add(n);  // sme_size, max_need, total_need, certification_count: e only
    }
  }

  // p.<name> naming a list parameter; returns its index in lists_.
  int ListParameter() {
    if (!(tok_ == kName && tok_text_ == "p")) {
      Fail("one_of(value, list): the list must be a list parameter p.<name>");
      return -1;
    }
    Next();
    if (!Expect(".")) return -1;
    const std::string name = ExpectName("p.");
    if (!error_.empty()) return -1;
    const ParameterInfo* p = FindParameter(name);
    if (p == nullptr) return -1;
    if (!p->value.is_array()) {
      FailAt(name_pos_, "one_of(value, list): p." + name + " is not a list parameter");
      return -1;
    }
    std::vector<Value> items;
    for (const nlohmann::json& item : p->value) {
      std::optional<Value> v = ScalarOf(item, out_);
      if (!v) {
        Fail("list parameter p." + name + " holds a value conditions cannot read");
        return -1;
      }
      items.push_back(*v);
    }
    out_->lists_.push_back(std::move(items));
    return static_cast<int>(out_->lists_.size()) - 1;
  }

  bool ConstantString(int node) const {
    const Node& n = out_->nodes_[static_cast<size_t>(node)];
    return n.op == Op::kConst && out_->constants_[static_cast<size_t>(n.index)].type == Type::kString;
  }

  static std::string FactList() {
    std::string out;
    for (std::string_view f : kFacts) {
      if (!out.empty()) out += ", ";
      out += f;
    }
    return out;
  }

  Condition* out_;
  std::string_view s_;
  std::span<const ParameterInfo> params_;
  size_t pos_ = 0, tok_pos_ = 0;
  Tok tok_ = kEnd;
  std::string_view tok_text_;
  std::string string_;
  static constexpr int kMaxDepth = 200;

  std::string error_;
  std::vector<int> depths_;  // of each node, in nodes_ order
  int nesting_ = 0;          // UnaryExpression calls under way
  size_t name_pos_ = 0;  // where the last name read by ExpectName began
};

// ---------------------------------------------------------------------------------------------
// Evaluation. Eval returns false where Lua would raise; `unsupported_` marks the places where
// this evaluator does not follow Lua and Lua must decide.

class Condition::Evaluator {
 public:
  Evaluator(const Condition& c, const ConditionApplicant& a) : c_(c), a_(a), p_(*a.profile) {}

  ConditionResult Run(uint64_t* missing) {
    Value v;
    const bool ok = Eval(c_.root_, &v);
    *missing = missing_;
    if (unsupported_) return ConditionResult::kAskLua;
    if (ok && Truthy(v)) return ConditionResult::kPass;
    if (missing_ != 0) return ConditionResult::kUndecided;
    return ok ? ConditionResult::kFail : ConditionResult::kAskLua;
  }

 private:
  bool Unsupported() {
    unsupported_ = true;
    return false;
  }

  // An optional number field: an integer, or a float for the fields C++ holds as double
  // (as FillApplicant passes them to Lua).
  template <typename T>
  Value Optional(const std::optional<T>& v, ProfileField f) {
    if (v) {
      if constexpr (std::is_floating_point_v<T>) return Number(*v);
      else return Integer(static_cast<int64_t>(*v));
    }
    missing_ |= Bit(f);
    return Nil();
  }
  template <typename E>
  Value Label(const std::optional<E>& v, std::span<const EnumLabel> labels, ProfileField f) {
    if (v) return Interned(labels[static_cast<size_t>(*v)].id);
    missing_ |= Bit(f);
    return Nil();
  }
  Value Flag(const std::optional<bool>& v, ProfileField f) {
    if (v) return Bool(*v);
    missing_ |= Bit(f);
    return Nil();
  }

  Value Field(ProfileField f) {
    switch (f) {
      case ProfileField::kId: return String(p_.id);
      case ProfileField::kName: return String(p_.name);
      case ProfileField::kIdentifier:
        if (p_.identifier) return String(*p_.identifier);
        missing_ |= Bit(f);
        return Nil();
      case ProfileField::kLegalForm: return Label(p_.legal_form, LegalFormLabels(), f);
      case ProfileField::kSector: return Label(p_.sector, SectorLabels(), f);
      case ProfileField::kIndustry: return Label(p_.industry, IndustryLabels(), f);
      case ProfileField::kProvince:
        if (p_.province) return String(*p_.province);
        missing_ |= Bit(f);
        return Nil();
      case ProfileField::kEmployees: return Optional(p_.employees, f);
      case ProfileField::kAnnualRevenueThb: return Optional(p_.annual_revenue_thb, f);
      case ProfileField::kYearsOperating: return Optional(p_.years_operating, f);
      case ProfileField::kMembers: return Optional(p_.members, f);
      case ProfileField::kCertifications: return Table();
      case ProfileField::kOtopStars: return Integer(p_.otop_stars);
      case ProfileField::kDigitalReadiness: return Optional(p_.digital_readiness, f);
      case ProfileField::kNeeds:
        if (p_.needs) return Table();
        missing_ |= Bit(f);
        return Nil();
      case ProfileField::kOwnFarmProduce: return Flag(p_.own_farm_produce, f);
      case ProfileField::kVatRegistered: return Flag(p_.vat_registered, f);
      case ProfileField::kGs1Barcode: return Flag(p_.gs1_barcode, f);
      case ProfileField::kMonthlyCapacityUnits: return Optional(p_.monthly_capacity_units, f);
      case ProfileField::kShelfLifeDays: return Optional(p_.shelf_life_days, f);
      case ProfileField::kParticipation: break;  // refused by the parser
    }
    return Nil();
  }

  // Lua's `a == b` for values of this subset (tables: Lua compares identity, left to Lua).
  bool Equal(const Value& a, const Value& b, bool* equal) {
    if (a.type != b.type) {
      *equal = false;
      return true;
    }
    switch (a.type) {
      case Type::kNil: *equal = true; return true;
      case Type::kBool: *equal = a.boolean == b.boolean; return true;
      case Type::kNumber: *equal = NumberEqual(a, b); return true;
      case Type::kString:
        // The same label: equal without reading the bytes (most comparisons of coded fields).
        *equal = (a.interned && b.interned && a.string.data() == b.string.data() &&
                  a.string.size() == b.string.size()) ||
                 a.string == b.string;
        return true;
      case Type::kTable: return Unsupported();
    }
    return Unsupported();
  }

  // Lua's `a < b` (or <=): numbers only here; strings compare by locale in Lua.
  bool Less(const Value& a, const Value& b, bool or_equal, bool* result) {
    if (a.type == Type::kNumber && b.type == Type::kNumber) {
      *result = NumberLess(a, b, or_equal);
      return true;
    }
    if (a.type == Type::kString && b.type == Type::kString) return Unsupported();
    return false;  // Lua: attempt to compare
  }

  bool Arithmetic(Op op, const Value& a, const Value& b, Value* out) {
    if (a.type == Type::kNumber && b.type == Type::kNumber) {
      if (op != Op::kDiv && a.is_integer && b.is_integer) {
        // Integer arithmetic; Lua wraps around on overflow, which Lua is left to do.
        int64_t r = 0;
        bool overflow = op == Op::kAdd   ? __builtin_add_overflow(a.integer, b.integer, &r)
                        : op == Op::kSub ? __builtin_sub_overflow(a.integer, b.integer, &r)
                                         : __builtin_mul_overflow(a.integer, b.integer, &r);
        if (overflow) return Unsupported();
        *out = Integer(r);
        return true;
      }
      switch (op) {  // floats (an integer operand converted), and `/` always
        case Op::kAdd: *out = Number(a.number + b.number); break;
        case Op::kSub: *out = Number(a.number - b.number); break;
        case Op::kMul: *out = Number(a.number * b.number); break;
        default: *out = Number(a.number / b.number); break;
      }
      return true;
    }
    // Lua converts numeric strings in arithmetic; anything else raises.
    if (a.type == Type::kString || b.type == Type::kString) return Unsupported();
    return false;
  }

  // An integer argument of a native helper (luaL_checkinteger / luaL_optinteger).
  bool ToInteger(const Value& v, bool optional, int64_t fallback, int64_t* out) {
    if (v.type == Type::kNil && optional) {
      *out = fallback;
      return true;
    }
    if (v.type == Type::kNumber) {
      if (v.is_integer) {
        *out = v.integer;
        return true;
      }
      // A float converts only if it is integral and in range (else Lua raises "number has no
      // integer representation").
      if (!(v.number >= -9223372036854775808.0 && v.number < 9223372036854775808.0) ||
          v.number != std::floor(v.number)) {
        return false;
      }
      *out = static_cast<int64_t>(v.number);
      return true;
    }
    if (v.type == Type::kString) return Unsupported();
    return false;
  }

  bool Eval(int i, Value* out) {
    const Node& n = c_.nodes_[static_cast<size_t>(i)];
    switch (n.op) {
      case Op::kConst:
        *out = c_.constants_[static_cast<size_t>(n.index)];
        return true;
      case Op::kField:
        *out = Field(static_cast<ProfileField>(n.arg));
        return true;
      case Op::kCertification:
        *out = Bool((p_.certifications >> n.arg) & 1u);
        return true;
      case Op::kNeed:
        if (!p_.needs) {
          missing_ |= Bit(ProfileField::kNeeds);
          return false;  // indexing nil
        }
        *out = Integer((*p_.needs)[n.arg]);
        return true;
      case Op::kFiscalYear:
        *out = Integer(a_.fiscal_year);
        return true;
      case Op::kFiscalYearBe:
        *out = Integer(a_.fiscal_year + 543);
        return true;
      case Op::kAsOf:
        *out = String(a_.as_of);
        return true;
      case Op::kSmeSize:
        if (a_.size) {
          *out = Interned(SmeSizeLabels()[static_cast<size_t>(*a_.size)].id);
        } else {
          missing_ |= a_.size_missing;
          *out = Nil();
        }
        return true;
      case Op::kMaxNeed:
      case Op::kTotalNeed: {
        if (!p_.needs) {
          missing_ |= Bit(ProfileField::kNeeds);
          *out = Nil();
          return true;
        }
        int max = 0, total = 0;
        for (int level : *p_.needs) {
          max = std::max(max, level);
          total += level;
        }
        *out = Integer(n.op == Op::kMaxNeed ? max : total);
        return true;
      }
      case Op::kCertCount:
        *out = Integer(std::popcount(p_.certifications & ((1u << smematch::kCertificationCount) - 1)));
        return true;
      case Op::kParticipated:
      case Op::kManDaysUsed: {
        const std::string_view program = c_.constants_[static_cast<size_t>(n.index)].string;
        Value from, to;
        if (!Eval(n.a, &from)) return false;
        if (n.op == Op::kParticipated && !Eval(n.b, &to)) return false;
        int64_t lo = 0, hi = 0;
        if (n.op == Op::kParticipated) {
          if (!ToInteger(from, true, 0, &lo) || !ToInteger(to, true, 9999, &hi)) return false;
          bool found = false;
          for (const Participation& p : p_.participation) {
            if (p.program == program && p.fiscal_year >= lo && p.fiscal_year <= hi) {
              found = true;
              break;
            }
          }
          *out = Bool(found);
          return true;
        }
        if (!ToInteger(from, false, 0, &lo)) return false;
        int64_t days = 0;
        for (const Participation& p : p_.participation) {
          if (p.program == program && p.fiscal_year == lo) days += p.man_days_used;
        }
        *out = Integer(days);
        return true;
      }
      case Op::kOneOf: {
        Value v;
        if (!Eval(n.a, &v)) return false;
        bool found = false;
        if (v.type == Type::kNumber || v.type == Type::kString || v.type == Type::kBool) {
          for (const Value& item : c_.lists_[static_cast<size_t>(n.index)]) {
            bool equal = false;
            if (item.type != v.type) continue;
            if (!Equal(item, v, &equal)) return false;
            if (equal) {
              found = true;
              break;
            }
          }
        }
        *out = Bool(found);
        return true;
      }
      case Op::kProvinceFact: {
        Value code;
        if (!Eval(n.a, &code)) return false;
        const Province* pr = code.type == Type::kString ? a_.province : nullptr;
        if (pr == nullptr) {
          *out = Nil();
          return true;
        }
        switch (static_cast<Fact>(n.arg)) {
          case Fact::kIsoCode: *out = String(pr->iso_code); break;
          case Fact::kNameTh: *out = String(pr->name_th); break;
          case Fact::kNameEn: *out = String(pr->name_en); break;
          case Fact::kRegion: *out = String(pr->region); break;
          case Fact::kRegionNesdb: *out = String(pr->region_nesdb); break;
          case Fact::kDipromCenter: *out = String(pr->diprom_center); break;
          case Fact::kUpperNorth: *out = Bool(pr->upper_north); break;
        }
        return true;
      }
      case Op::kIdentifierKind: {
        Value v;
        if (!Eval(n.a, &v)) return false;
        *out = Nil();
        if (v.type == Type::kString && ValidateIdentifier(v.string).ok()) {
          switch (ClassifyIdentifier(v.string)) {
            case IdentifierKind::kJuristicPerson: *out = Interned(kIdentifierKinds[0]); break;
            case IdentifierKind::kRevenueDept: *out = Interned(kIdentifierKinds[1]); break;
            case IdentifierKind::kNationalId: *out = Interned(kIdentifierKinds[2]); break;
          }
        }
        return true;
      }
      case Op::kClamp: {  // prelude: if x < lo then lo elseif x > hi then hi else x
        Value x, lo, hi;
        if (!Eval(n.a, &x) || !Eval(n.b, &lo) || !Eval(n.c, &hi)) return false;
        bool below = false, above = false;
        if (!Less(x, lo, false, &below)) return false;
        if (below) {
          *out = lo;
          return true;
        }
        if (!Less(hi, x, false, &above)) return false;
        *out = above ? hi : x;
        return true;
      }
      case Op::kNot: {
        Value v;
        if (!Eval(n.a, &v)) return false;
        *out = Bool(!Truthy(v));
        return true;
      }
      case Op::kNegate: {
        Value v;
        if (!Eval(n.a, &v)) return false;
        if (v.type == Type::kNumber && v.is_integer) {
          if (v.integer == INT64_MIN) return Unsupported();  // wraps in Lua
          *out = Integer(-v.integer);
          return true;
        }
        if (v.type == Type::kNumber) {
          *out = Number(-v.number);
          return true;
        }
        if (v.type == Type::kString) return Unsupported();
        return false;
      }
      case Op::kAnd:
        if (!Eval(n.a, out)) return false;
        return Truthy(*out) ? Eval(n.b, out) : true;
      case Op::kOr:
        if (!Eval(n.a, out)) return false;
        return Truthy(*out) ? true : Eval(n.b, out);
      default:
        break;
    }
    // Binary operators: both operands first, left to right, as Lua does.
    Value a, b;
    if (!Eval(n.a, &a) || !Eval(n.b, &b)) return false;
    bool r = false;
    switch (n.op) {
      case Op::kEq:
      case Op::kNe:
        if (!Equal(a, b, &r)) return false;
        *out = Bool(n.op == Op::kEq ? r : !r);
        return true;
      case Op::kLt:
        if (!Less(a, b, false, &r)) return false;
        break;
      case Op::kLe:
        if (!Less(a, b, true, &r)) return false;
        break;
      case Op::kGt:
        if (!Less(b, a, false, &r)) return false;
        break;
      case Op::kGe:
        if (!Less(b, a, true, &r)) return false;
        break;
      default:
        return Arithmetic(n.op, a, b, out);
    }
    *out = Bool(r);
    return true;
  }

  const Condition& c_;
  const ConditionApplicant& a_;
  const EnterpriseProfile& p_;
  uint64_t missing_ = 0;
  bool unsupported_ = false;
};

Result<Condition> Condition::Compile(std::string_view text, std::span<const ParameterInfo> params) {
  Condition c;
  c.text_ = std::string(text);
  Parser parser(&c, c.text_, params);
  SMEMATCH_RETURN_IF_ERROR(parser.Parse());
  return c;
}

ConditionResult Condition::Evaluate(const ConditionApplicant& a, uint64_t* missing) const {
  return Evaluator(*this, a).Run(missing);
}

}  // namespace smematch
