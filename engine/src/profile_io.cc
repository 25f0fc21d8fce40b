#include "smematch/profile_io.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstring>

#include "csv_reader.h"
#include "smematch/json_text.h"
#include "smematch/identifier.h"
#include "smematch/provinces.h"

namespace smematch {
namespace {

namespace od = simdjson::ondemand;

enum class Kind { kString, kInteger, kNumber, kBool, kCertifications, kNeeds, kParticipation };

constexpr Kind kKinds[kProfileFieldCount] = {
    Kind::kString,  Kind::kString,  Kind::kString,  Kind::kString,  Kind::kString,
    Kind::kString,  Kind::kString,  Kind::kInteger, Kind::kNumber,  Kind::kNumber,
    Kind::kInteger, Kind::kCertifications, Kind::kInteger, Kind::kInteger, Kind::kNeeds,
    Kind::kBool,    Kind::kBool,    Kind::kBool,    Kind::kInteger, Kind::kInteger,
    Kind::kParticipation,
};

std::string Quote(std::string_view s) {
  if (s.size() > 60) return "\"" + std::string(s.substr(0, 57)) + "...\"";
  return "\"" + std::string(s) + "\"";
}

// Each setter returns "" on success, otherwise what is wrong with the value.
std::string SetString(EnterpriseProfile& p, ProfileField f, std::string_view v,
                      const ProvinceTable* provinces) {
  if (v.size() > kMaxStringBytes) {
    return "longer than " + std::to_string(kMaxStringBytes) + " bytes";
  }
  auto enum_value = [&](std::span<const EnumLabel> labels, auto* slot) -> std::string {
    int i = EnumIndex(labels, v);
    if (i < 0) return "unknown value " + Quote(v) + "; expected one of: " + KnownIds(labels);
    *slot = static_cast<std::remove_reference_t<decltype(**slot)>>(i);
    return "";
  };
  switch (f) {
    case ProfileField::kId:
      if (v.empty()) return "must not be empty";
      p.id = v;
      return "";
    case ProfileField::kName:
      if (v.empty()) return "must not be empty";
      p.name = v;
      return "";
    case ProfileField::kIdentifier: {
      Status s = ValidateIdentifier(v);
      if (!s.ok()) return s.message();
      p.identifier = std::string(v);
      return "";
    }
    case ProfileField::kLegalForm: return enum_value(LegalFormLabels(), &p.legal_form);
    case ProfileField::kSector: return enum_value(SectorLabels(), &p.sector);
    case ProfileField::kIndustry: return enum_value(IndustryLabels(), &p.industry);
    case ProfileField::kProvince:
      if (provinces != nullptr && provinces->Find(v) == nullptr) {
        return "unknown province code " + Quote(v) + "; expected ISO 3166-2:TH such as \"TH-50\"";
      }
      if (provinces == nullptr && (v.size() != 5 || v.substr(0, 3) != "TH-")) {
        return "expected an ISO 3166-2:TH code such as \"TH-50\", got " + Quote(v);
      }
      p.province = std::string(v);
      return "";
    default: return "expected " + std::string(kKinds[static_cast<int>(f)] == Kind::kBool
                                                  ? "true or false" : "a number");
  }
}

std::string SetInteger(EnterpriseProfile& p, ProfileField f, int64_t v) {
  auto range = [&](int64_t lo, int64_t hi, const char* unit) -> std::string {
    if (v < lo || v > hi) {
      return "expected " + std::string(unit) + " from " + std::to_string(lo) + " to " +
             std::to_string(hi) + ", got " + std::to_string(v);
    }
    return "";
  };
  std::string err;
  switch (f) {
    case ProfileField::kEmployees:
      if ((err = range(0, 10'000'000, "persons")).empty()) p.employees = v;
      return err;
    case ProfileField::kMembers:
      if ((err = range(0, 10'000'000, "persons")).empty()) p.members = v;
      return err;
    case ProfileField::kOtopStars:
      if ((err = range(0, 5, "stars")).empty()) p.otop_stars = static_cast<int>(v);
      return err;
    case ProfileField::kDigitalReadiness:
      if ((err = range(0, 5, "a level")).empty()) p.digital_readiness = static_cast<int>(v);
      return err;
    case ProfileField::kMonthlyCapacityUnits:
      if ((err = range(0, 1'000'000'000'000, "units per month")).empty()) p.monthly_capacity_units = v;
      return err;
    case ProfileField::kShelfLifeDays:
      if ((err = range(0, 36'500, "days")).empty()) p.shelf_life_days = static_cast<int>(v);
      return err;
    case ProfileField::kAnnualRevenueThb:
    case ProfileField::kYearsOperating: return "";  // handled as numbers
    default: return "expected a string";
  }
}

std::string SetNumber(EnterpriseProfile& p, ProfileField f, double v) {
  if (!std::isfinite(v)) return "expected a finite number";
  switch (f) {
    case ProfileField::kAnnualRevenueThb:
      if (v < 0 || v > 1e13) return "expected THB per year from 0 to 1e13, got " + std::to_string(v);
      p.annual_revenue_thb = v;
      return "";
    case ProfileField::kYearsOperating:
      if (v < 0 || v > 300) return "expected years from 0 to 300, got " + std::to_string(v);
      p.years_operating = v;
      return "";
    default:
      if (v != std::floor(v)) return "expected a whole number, got " + std::to_string(v);
      if (v < -9.0e18 || v > 9.0e18) return "number out of range: " + std::to_string(v);
      return SetInteger(p, f, static_cast<int64_t>(v));
  }
}

std::string SetBool(EnterpriseProfile& p, ProfileField f, bool v) {
  switch (f) {
    case ProfileField::kOwnFarmProduce: p.own_farm_produce = v; return "";
    case ProfileField::kVatRegistered: p.vat_registered = v; return "";
    case ProfileField::kGs1Barcode: p.gs1_barcode = v; return "";
    default: return "expected a " + std::string(kKinds[static_cast<int>(f)] == Kind::kString
                                                   ? "string" : "number");
  }
}

std::string AddCertification(EnterpriseProfile& p, std::string_view id) {
  int i = EnumIndex(CertificationLabels(), id);
  if (i < 0) {
    return "unknown certification " + Quote(id) + "; expected one of: " +
           KnownIds(CertificationLabels());
  }
  p.certifications |= 1u << i;
  return "";
}

std::string CheckParticipation(const Participation& part) {
  if (part.program.empty() || part.program.size() > 32) return "program: expected a program id";
  if (part.fiscal_year < 2000 || part.fiscal_year > 2200) {
    return "fiscal_year: expected a Gregorian year from 2000 to 2200, got " +
           std::to_string(part.fiscal_year);
  }
  if (part.man_days_used < 0 || part.man_days_used > 366) {
    return "man_days_used: expected 0 to 366, got " + std::to_string(part.man_days_used);
  }
  return "";
}

bool HasErrorFor(const std::vector<FieldError>& errors, std::string_view field) {
  for (const FieldError& e : errors) {
    if (e.field == field) return true;
  }
  return false;
}

std::string JsonError(simdjson::error_code e) {
  return std::string("malformed JSON (") + simdjson::error_message(e) + ")";
}

}  // namespace

struct ProfileReader::Impl {
  const ProvinceTable* provinces;
  od::parser parser{kMaxRecordBytes + simdjson::SIMDJSON_PADDING};
  std::string scratch;  // padded copy for unpadded input

  void Error(std::vector<FieldError>* errors, std::string field, std::string message) {
    errors->push_back({std::move(field), std::move(message)});
  }

  // Reads `value` into field `f`; returns false on a JSON syntax error (parse must stop).
  bool ReadValue(ProfileField f, od::value value, EnterpriseProfile* p,
                 std::vector<FieldError>* errors) {
    // The JSON pointer of the field, built only when there is something to report.
    auto field = [f] { return "/" + std::string(FieldName(f)); };
    od::json_type type;
    if (auto e = value.type().get(type)) {
      Error(errors, field(), JsonError(e));
      return false;
    }
    if (type == od::json_type::null) return true;  // null = absent
    std::string err;
    switch (kKinds[static_cast<int>(f)]) {
      case Kind::kString: {
        std::string_view s;
        if (type != od::json_type::string) {
          err = f == ProfileField::kIdentifier
                    ? "expected a string of 13 digits (as a number it would lose leading zeros)"
                    : "expected a string";
          break;
        }
        if (auto e = value.get_string().get(s)) {
          Error(errors, field(), JsonError(e));
          return false;
        }
        err = SetString(*p, f, s, provinces);
        break;
      }
      case Kind::kInteger: {
        if (type != od::json_type::number) {
          err = "expected a whole number";
          break;
        }
        int64_t i;
        if (value.get_int64().get(i)) {
          double d;
          if (auto e = value.get_double().get(d)) {
            Error(errors, field(), JsonError(e));
            return false;
          }
          err = SetNumber(*p, f, d);
          break;
        }
        err = SetInteger(*p, f, i);
        break;
      }
      case Kind::kNumber: {
        double d;
        if (type != od::json_type::number) {
          err = "expected a number";
          break;
        }
        if (auto e = value.get_double().get(d)) {
          Error(errors, field(), JsonError(e));
          return false;
        }
        err = SetNumber(*p, f, d);
        break;
      }
      case Kind::kBool: {
        bool b;
        if (type != od::json_type::boolean) {
          err = "expected true or false";
          break;
        }
        if (auto e = value.get_bool().get(b)) {
          Error(errors, field(), JsonError(e));
          return false;
        }
        err = SetBool(*p, f, b);
        break;
      }
      case Kind::kCertifications: {
        if (type != od::json_type::array) {
          err = "expected an array of certification ids such as [\"fda\", \"gmp\"]";
          break;
        }
        od::array arr;
        if (auto e = value.get_array().get(arr)) {
          Error(errors, field(), JsonError(e));
          return false;
        }
        size_t i = 0;
        for (auto item : arr) {
          std::string_view s;
          if (auto e = item.get_string().get(s)) {
            if (e != simdjson::INCORRECT_TYPE) {
              Error(errors, field(), JsonError(e));
              return false;
            }
            Error(errors, field() + "/" + std::to_string(i), "expected a certification id string");
          } else if (std::string m = AddCertification(*p, s); !m.empty()) {
            Error(errors, field() + "/" + std::to_string(i), m);
          }
          if (++i > 32) {
            Error(errors, field(), "more than 32 entries");
            return true;
          }
        }
        break;
      }
      case Kind::kNeeds: {
        if (type != od::json_type::object) {
          err = "expected an object such as {\"marketing\": 4, \"digital\": 2}";
          break;
        }
        od::object obj;
        if (auto e = value.get_object().get(obj)) {
          Error(errors, field(), JsonError(e));
          return false;
        }
        std::array<int, kDimensionCount> needs{};
        for (auto member : obj) {
          std::string_view key;
          if (auto e = member.unescaped_key().get(key)) {
            Error(errors, field(), JsonError(e));
            return false;
          }
          auto sub = [&] { return field() + "/" + std::string(key); };
          int dim = EnumIndex(DimensionLabels(), key);
          int64_t level;
          auto e = member.value().get_int64().get(level);
          if (e && e != simdjson::INCORRECT_TYPE && e != simdjson::NUMBER_ERROR) {
            Error(errors, sub(), JsonError(e));
            return false;
          }
          if (dim < 0) {
            Error(errors, sub(), "unknown mentoring dimension; expected one of: " +
                                   KnownIds(DimensionLabels()));
          } else if (e || level < 0 || level > 5) {
            Error(errors, sub(), "expected a whole number from 0 to 5");
          } else {
            needs[dim] = static_cast<int>(level);
          }
        }
        p->needs = needs;
        break;
      }
      case Kind::kParticipation: {
        if (type != od::json_type::array) {
          err = "expected an array of {\"program\", \"fiscal_year\", \"man_days_used\"}";
          break;
        }
        od::array arr;
        if (auto e = value.get_array().get(arr)) {
          Error(errors, field(), JsonError(e));
          return false;
        }
        size_t i = 0;
        for (auto item : arr) {
          size_t index = i++;
          auto at = [&] { return field() + "/" + std::to_string(index); };
          if (i > kMaxParticipations) {
            Error(errors, field(), "more than " + std::to_string(kMaxParticipations) + " entries");
            return true;
          }
          od::object obj;
          if (auto e = item.get_object().get(obj)) {
            if (e != simdjson::INCORRECT_TYPE) {
              Error(errors, at(), JsonError(e));
              return false;
            }
            Error(errors, at(), "expected an object");
            continue;
          }
          Participation part;
          bool has_program = false, has_year = false;
          for (auto member : obj) {
            std::string_view key;
            if (auto e = member.unescaped_key().get(key)) {
              Error(errors, at(), JsonError(e));
              return false;
            }
            if (key == "program") {
              std::string_view s;
              if (member.value().get_string().get(s)) {
                Error(errors, at() + "/program", "expected a program id string");
              } else {
                part.program = s;
                has_program = true;
              }
            } else if (key == "fiscal_year" || key == "man_days_used") {
              int64_t n;
              if (member.value().get_int64().get(n) || n < 0 || n > 100000) {
                Error(errors, at() + "/" + std::string(key), "expected a whole number");
              } else if (key == "fiscal_year") {
                part.fiscal_year = static_cast<int>(n);
                has_year = true;
              } else {
                part.man_days_used = static_cast<int>(n);
              }
            } else {
              Error(errors, at() + "/" + std::string(key),
                    "unknown field; expected program, fiscal_year or man_days_used");
            }
          }
          if (!has_program) Error(errors, at() + "/program", "required");
          if (!has_year) Error(errors, at() + "/fiscal_year", "required");
          if (has_program && has_year) {
            if (std::string m = CheckParticipation(part); !m.empty()) {
              Error(errors, at(), m);
            } else {
              p->participation.push_back(std::move(part));
            }
          }
        }
        break;
      }
    }
    if (!err.empty()) Error(errors, field(), std::move(err));
    return true;
  }
};

ProfileReader::ProfileReader(const ProvinceTable* provinces)
    : impl_(std::make_unique<Impl>(Impl{provinces})) {}
ProfileReader::~ProfileReader() = default;

Status ProfileReader::ParseJson(std::string_view json, EnterpriseProfile* out,
                                std::vector<FieldError>* errors) {
  impl_->scratch.assign(json);
  impl_->scratch.append(simdjson::SIMDJSON_PADDING, ' ');
  return ParseJsonPadded(std::string_view(impl_->scratch.data(), json.size()), out, errors);
}

namespace {

// Empties `p` but keeps its strings' and vectors' storage for the next record.
void Reset(EnterpriseProfile* p) {
  p->id.clear();
  p->name.clear();
  p->participation.clear();
  std::string id = std::move(p->id), name = std::move(p->name);
  std::vector<Participation> participation = std::move(p->participation);
  *p = EnterpriseProfile();
  p->id = std::move(id);
  p->name = std::move(name);
  p->participation = std::move(participation);
}

}  // namespace

Status ProfileReader::ParseJsonPadded(std::string_view json, EnterpriseProfile* out,
                                      std::vector<FieldError>* errors) {
  Reset(out);
  errors->clear();
  auto fail = [&](std::string field, std::string message) {
    errors->push_back({std::move(field), std::move(message)});
    return InvalidArgumentError(JoinFieldErrors(*errors));
  };
  if (json.size() > kMaxRecordBytes) {
    return fail("", "record is " + std::to_string(json.size()) + " bytes; the limit is " +
                        std::to_string(kMaxRecordBytes));
  }
  od::document doc;
  if (auto e = impl_->parser
                   .iterate(json.data(), json.size(), json.size() + simdjson::SIMDJSON_PADDING)
                   .get(doc)) {
    return fail("", JsonError(e));
  }
  od::object obj;
  if (auto e = doc.get_object().get(obj)) {
    return fail("", e == simdjson::INCORRECT_TYPE ? "expected a JSON object" : JsonError(e));
  }
  uint32_t seen = 0;
  int next_field = 0;  // members usually come in field order: try the next one first
  for (auto member : obj) {
    std::string_view key;
    if (auto e = member.unescaped_key().get(key)) return fail("", JsonError(e));
    std::optional<ProfileField> f;
    if (next_field < kProfileFieldCount && FieldName(static_cast<ProfileField>(next_field)) == key) {
      f = static_cast<ProfileField>(next_field);
    } else {
      f = FieldByName(key);
    }
    if (f) next_field = static_cast<int>(*f) + 1;
    if (!f) {
      std::string name(key.substr(0, 64));
      errors->push_back({"/" + name, "unknown field"});
      continue;  // the iterator skips the value
    }
    uint32_t bit = 1u << static_cast<int>(*f);
    if (seen & bit) {
      errors->push_back({"/" + std::string(key), "appears twice"});
      continue;
    }
    seen |= bit;
    od::value value;
    if (auto e = member.value().get(value)) return fail("/" + std::string(key), JsonError(e));
    if (!impl_->ReadValue(*f, value, out, errors)) {
      return InvalidArgumentError(JoinFieldErrors(*errors));
    }
  }
  const char* rest = nullptr;
  if (doc.current_location().get(rest) != simdjson::OUT_OF_BOUNDS) {
    return fail("", "trailing content after the JSON object");
  }
  // A null id or name is as absent as a missing one.
  if (out->id.empty() && !HasErrorFor(*errors, "/id")) errors->push_back({"/id", "required"});
  if (out->name.empty() && !HasErrorFor(*errors, "/name")) errors->push_back({"/name", "required"});
  if (!errors->empty()) return InvalidArgumentError(JoinFieldErrors(*errors));
  return Status::Ok();
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool ParseCsvInt(std::string_view s, int64_t* out) {
  std::string digits;
  for (char c : s) {
    if (c != ',') digits.push_back(c);
  }
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *out);
  return ec == std::errc() && ptr == digits.data() + digits.size() && !digits.empty();
}

bool ParseCsvDouble(std::string_view s, double* out) {
  std::string digits;
  for (char c : s) {
    if (c != ',') digits.push_back(c);
  }
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *out);
  return ec == std::errc() && ptr == digits.data() + digits.size() && !digits.empty();
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view part = Trim(s.substr(start, end - start));
    if (!part.empty()) parts.push_back(part);
    start = end + 1;
  }
  return parts;
}

constexpr std::string_view kNeedPrefix = "need_";

}  // namespace

Status CheckCsvHeader(const std::vector<std::string>& header) {
  std::vector<FieldError> errors;
  std::vector<std::string_view> seen;
  for (const std::string& col : header) {
    std::string_view c = Trim(col);
    bool known = FieldByName(c).has_value() && c != "needs";
    if (!known && c.substr(0, kNeedPrefix.size()) == kNeedPrefix) {
      known = EnumIndex(DimensionLabels(), c.substr(kNeedPrefix.size())) >= 0;
    }
    if (!known) errors.push_back({std::string(c), "unknown column"});
    for (std::string_view s : seen) {
      if (s == c) errors.push_back({std::string(c), "column appears twice"});
    }
    seen.push_back(c);
  }
  for (std::string_view required : {"id", "name"}) {
    if (std::find(seen.begin(), seen.end(), required) == seen.end()) {
      errors.push_back({std::string(required), "required column missing"});
    }
  }
  if (!errors.empty()) return InvalidArgumentError("CSV header: " + JoinFieldErrors(errors));
  return Status::Ok();
}

Status ProfileReader::ParseCsv(const std::vector<std::string>& header,
                               const std::vector<std::string>& cells, EnterpriseProfile* out,
                               std::vector<FieldError>* errors) {
  *out = EnterpriseProfile();
  errors->clear();
  if (cells.size() != header.size()) {
    errors->push_back({"", "has " + std::to_string(cells.size()) + " cells, the header has " +
                               std::to_string(header.size())});
    return InvalidArgumentError(JoinFieldErrors(*errors));
  }
  std::array<int, kDimensionCount> needs{};
  bool has_needs = false;
  for (size_t i = 0; i < header.size(); ++i) {
    std::string_view col = Trim(header[i]);
    std::string_view cell = Trim(cells[i]);
    if (cell.empty()) continue;
    std::string err;
    if (col.substr(0, kNeedPrefix.size()) == kNeedPrefix) {
      int dim = EnumIndex(DimensionLabels(), col.substr(kNeedPrefix.size()));
      int64_t level;
      if (dim < 0) continue;  // reported by CheckCsvHeader
      if (!ParseCsvInt(cell, &level) || level < 0 || level > 5) {
        err = "expected a whole number from 0 to 5, got " + Quote(cell);
      } else {
        needs[dim] = static_cast<int>(level);
        has_needs = true;
      }
    } else if (std::optional<ProfileField> f = FieldByName(col)) {
      switch (kKinds[static_cast<int>(*f)]) {
        case Kind::kString: err = SetString(*out, *f, cell, impl_->provinces); break;
        case Kind::kInteger: {
          int64_t v;
          double d;
          if (ParseCsvInt(cell, &v)) {
            err = SetInteger(*out, *f, v);
          } else if (ParseCsvDouble(cell, &d)) {
            err = SetNumber(*out, *f, d);
          } else {
            err = "expected a whole number, got " + Quote(cell);
          }
          break;
        }
        case Kind::kNumber: {
          double d;
          err = ParseCsvDouble(cell, &d) ? SetNumber(*out, *f, d)
                                         : "expected a number, got " + Quote(cell);
          break;
        }
        case Kind::kBool: {
          static constexpr std::string_view kTrue[] = {"true", "TRUE", "yes", "1", "ใช่", "มี"};
          static constexpr std::string_view kFalse[] = {"false", "FALSE", "no", "0", "ไม่ใช่", "ไม่มี"};
          if (std::find(std::begin(kTrue), std::end(kTrue), cell) != std::end(kTrue)) {
            err = SetBool(*out, *f, true);
          } else if (std::find(std::begin(kFalse), std::end(kFalse), cell) != std::end(kFalse)) {
            err = SetBool(*out, *f, false);
          } else {
            err = "expected true or false, got " + Quote(cell);
          }
          break;
        }
        case Kind::kCertifications:
          for (std::string_view id : Split(cell, ';')) {
            if (std::string m = AddCertification(*out, id); !m.empty()) {
              err = m;
              break;
            }
          }
          break;
        case Kind::kNeeds: break;  // rejected by CheckCsvHeader; need_<dimension> columns instead
        case Kind::kParticipation:
          for (std::string_view entry : Split(cell, ';')) {
            std::vector<std::string_view> parts = Split(entry, '/');
            int64_t fy = 0, days = 0;
            if (parts.size() < 2 || parts.size() > 3 || !ParseCsvInt(parts[1], &fy) ||
                (parts.size() == 3 && !ParseCsvInt(parts[2], &days))) {
              err = "expected entries PROGRAM/FISCAL_YEAR[/MAN_DAYS] separated by ';', got " +
                    Quote(entry);
              break;
            }
            Participation part{std::string(parts[0]), static_cast<int>(fy), static_cast<int>(days)};
            if (std::string m = CheckParticipation(part); !m.empty()) {
              err = m + " in " + Quote(entry);
              break;
            }
            if (out->participation.size() >= kMaxParticipations) {
              err = "more than " + std::to_string(kMaxParticipations) + " entries";
              break;
            }
            out->participation.push_back(std::move(part));
          }
          break;
      }
    }
    if (!err.empty()) errors->push_back({std::string(col), std::move(err)});
  }
  if (has_needs) out->needs = needs;
  if (out->id.empty()) errors->push_back({"id", "required"});
  if (out->name.empty()) errors->push_back({"name", "required"});
  if (!errors->empty()) return InvalidArgumentError(JoinFieldErrors(*errors));
  return Status::Ok();
}

std::string JoinFieldErrors(const std::vector<FieldError>& errors) {
  std::string s;
  for (const FieldError& e : errors) {
    if (!s.empty()) s += "; ";
    if (!e.field.empty()) {
      s += e.field;
      s += ": ";
    }
    s += e.message;
  }
  return s;
}

void AppendProfileJson(const EnterpriseProfile& p, std::string* out) {
  out->append("{\"id\":");
  AppendJsonString(p.id, out);
  auto key = [out](std::string_view k) {
    out->append(",\"");
    out->append(k);
    out->append("\":");
  };
  if (p.identifier) key("identifier"), AppendJsonString(*p.identifier, out);
  key("name"), AppendJsonString(p.name, out);
  if (p.legal_form) key("legal_form"), AppendJsonString(LegalFormLabels()[int(*p.legal_form)].id, out);
  if (p.sector) key("sector"), AppendJsonString(SectorLabels()[int(*p.sector)].id, out);
  if (p.industry) key("industry"), AppendJsonString(IndustryLabels()[int(*p.industry)].id, out);
  if (p.province) key("province"), AppendJsonString(*p.province, out);
  if (p.employees) key("employees"), AppendInt(*p.employees, out);
  if (p.annual_revenue_thb) key("annual_revenue_thb"), AppendNumber(*p.annual_revenue_thb, out);
  if (p.years_operating) key("years_operating"), AppendNumber(*p.years_operating, out);
  if (p.members) key("members"), AppendInt(*p.members, out);
  if (p.certifications != 0) {
    key("certifications");
    out->push_back('[');
    bool first = true;
    for (int i = 0; i < kCertificationCount; ++i) {
      if (!p.has(static_cast<Certification>(i))) continue;
      if (!first) out->push_back(',');
      first = false;
      AppendJsonString(CertificationLabels()[i].id, out);
    }
    out->push_back(']');
  }
  if (p.otop_stars != 0) key("otop_stars"), AppendInt(p.otop_stars, out);
  if (p.digital_readiness) key("digital_readiness"), AppendInt(*p.digital_readiness, out);
  if (p.needs) {
    key("needs");
    out->push_back('{');
    for (int i = 0; i < kDimensionCount; ++i) {
      if (i) out->push_back(',');
      AppendJsonString(DimensionLabels()[i].id, out);
      out->push_back(':');
      AppendInt((*p.needs)[i], out);
    }
    out->push_back('}');
  }
  auto boolean = [&](std::string_view k, const std::optional<bool>& b) {
    if (b) key(k), out->append(*b ? "true" : "false");
  };
  boolean("own_farm_produce", p.own_farm_produce);
  boolean("vat_registered", p.vat_registered);
  boolean("gs1_barcode", p.gs1_barcode);
  if (p.monthly_capacity_units) key("monthly_capacity_units"), AppendInt(*p.monthly_capacity_units, out);
  if (p.shelf_life_days) key("shelf_life_days"), AppendInt(*p.shelf_life_days, out);
  if (!p.participation.empty()) {
    key("participation");
    out->push_back('[');
    for (size_t i = 0; i < p.participation.size(); ++i) {
      const Participation& part = p.participation[i];
      if (i) out->push_back(',');
      out->append("{\"program\":");
      AppendJsonString(part.program, out);
      out->append(",\"fiscal_year\":");
      AppendInt(part.fiscal_year, out);
      out->append(",\"man_days_used\":");
      AppendInt(part.man_days_used, out);
      out->push_back('}');
    }
    out->push_back(']');
  }
  out->push_back('}');
}

std::vector<std::string> ProfileCsvHeader() {
  std::vector<std::string> h;
  for (int i = 0; i < kProfileFieldCount; ++i) {
    auto f = static_cast<ProfileField>(i);
    if (f == ProfileField::kNeeds) {
      for (const EnumLabel& d : DimensionLabels()) h.push_back("need_" + std::string(d.id));
    } else {
      h.emplace_back(FieldName(f));
    }
  }
  return h;
}

void AppendProfileCsv(const EnterpriseProfile& p, std::string* out) {
  auto cell = [out](std::string_view s) {
    AppendCsvCell(s, out);
    out->push_back(',');
  };
  auto num = [&](const auto& v) {
    if (v) {
      std::string s;
      if constexpr (std::is_same_v<std::decay_t<decltype(*v)>, double>) AppendNumber(*v, &s);
      else AppendInt(*v, &s);
      cell(s);
    } else {
      cell("");
    }
  };
  auto label = [&](const auto& v, std::span<const EnumLabel> labels) {
    cell(v ? labels[static_cast<int>(*v)].id : "");
  };
  auto boolean = [&](const std::optional<bool>& b) { cell(b ? (*b ? "true" : "false") : ""); };
  cell(p.id);
  cell(p.identifier.value_or(""));
  cell(p.name);
  label(p.legal_form, LegalFormLabels());
  label(p.sector, SectorLabels());
  label(p.industry, IndustryLabels());
  cell(p.province.value_or(""));
  num(p.employees);
  num(p.annual_revenue_thb);
  num(p.years_operating);
  num(p.members);
  std::string certs;
  for (int i = 0; i < kCertificationCount; ++i) {
    if (!p.has(static_cast<Certification>(i))) continue;
    if (!certs.empty()) certs += ';';
    certs += CertificationLabels()[i].id;
  }
  cell(certs);
  num(std::optional<int64_t>(p.otop_stars));
  num(p.digital_readiness);
  for (int i = 0; i < kDimensionCount; ++i) {
    num(p.needs ? std::optional<int64_t>((*p.needs)[i]) : std::nullopt);
  }
  boolean(p.own_farm_produce);
  boolean(p.vat_registered);
  boolean(p.gs1_barcode);
  num(p.monthly_capacity_units);
  num(p.shelf_life_days);
  std::string parts;
  for (const Participation& part : p.participation) {
    if (!parts.empty()) parts += ';';
    parts += part.program + "/" + std::to_string(part.fiscal_year) + "/" +
             std::to_string(part.man_days_used);
  }
  AppendCsvCell(parts, out);
  out->append("\r\n");
}

}  // namespace smematch
