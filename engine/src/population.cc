#include "smematch/population.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <span>
#include <unordered_map>
#include <utility>

namespace smematch {
namespace {

using nlohmann::json;
using Range = PopulationMix::Range;

constexpr int kLegalForms = PopulationMix::kLegalForms;
constexpr int kGroups = PopulationMix::kGroups;
constexpr int kOtopGroup = PopulationMix::kOtopGroup;
constexpr int kSizes = PopulationMix::kSizes;
constexpr int kPatternLength = 12;  // the identifier without its check digit

// ---------------------------------------------------------------------------------------------
// Parsing

// Escapes `key` as one JSON pointer reference token (RFC 6901).
std::string Token(std::string_view key) {
  std::string t;
  for (char c : key) {
    if (c == '~') {
      t += "~0";
    } else if (c == '/') {
      t += "~1";
    } else {
      t += c;
    }
  }
  return t;
}

std::vector<std::string> LabelIds(std::span<const EnumLabel> labels) {
  std::vector<std::string> ids;
  for (const EnumLabel& l : labels) ids.emplace_back(l.id);
  return ids;
}

bool IsProvinceCode(std::string_view s) {
  return s.size() == 5 && s.substr(0, 3) == "TH-" && s[3] >= '0' && s[3] <= '9' && s[4] >= '0' &&
         s[4] <= '9';
}

// Parses one mix, stopping at the first error, which it words as "<JSON pointer>: <problem>".
class MixParser {
 public:
  explicit MixParser(PopulationMix* mix) : mix_(*mix) {}

  bool Parse(const json& root);
  const std::string& error() const { return error_; }

 private:
  bool Fail(const std::string& ptr, std::string_view message) {
    if (error_.empty())
      error_ = (ptr.empty() ? std::string("/") : ptr) + ": " + std::string(message);
    return false;
  }

  bool Object(const json& j, const std::string& ptr) {
    return j.is_object() || Fail(ptr, "expected an object");
  }

  // Returns member `key` of object `obj` at `ptr`, or nullptr after failing.
  const json* Member(const json& obj, const std::string& ptr, std::string_view key) {
    if (!Object(obj, ptr)) return nullptr;
    auto it = obj.find(key);
    if (it == obj.end()) {
      Fail(ptr + "/" + Token(key), "missing");
      return nullptr;
    }
    return &*it;
  }

  bool OnlyKeys(const json& obj, const std::string& ptr,
                std::initializer_list<std::string_view> keys) {
    if (!Object(obj, ptr)) return false;
    for (const auto& [key, value] : obj.items()) {
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        return Fail(ptr + "/" + Token(key), "unknown key");
      }
    }
    return true;
  }

  // Requires the non-empty string member "source" that every object holding numbers carries.
  bool Source(const json& obj, const std::string& ptr) {
    const json* s = Member(obj, ptr, "source");
    if (s == nullptr) return false;
    if (!s->is_string() || s->get_ref<const std::string&>().empty()) {
      return Fail(ptr + "/source",
                  "expected a non-empty string naming where the numbers come from");
    }
    return true;
  }

  bool Number(const json& j, const std::string& ptr, double min, double max, double* out) {
    if (!j.is_number()) return Fail(ptr, "expected a number");
    double v = j.get<double>();
    if (!std::isfinite(v) || v < min || v > max) {
      return Fail(ptr, "expected a number from " + Format(min) + " to " + Format(max) + ", got " +
                           j.dump());
    }
    *out = v;
    return true;
  }

  bool Integer(const json& j, const std::string& ptr, double min, double max, double* out) {
    if (!Number(j, ptr, min, max, out)) return false;
    return *out == std::floor(*out) || Fail(ptr, "expected a whole number, got " + j.dump());
  }

  bool Share(const json& j, const std::string& ptr, double* out) {
    return Number(j, ptr, 0, 1, out);
  }

  // Reads `obj[key]`, an object {"<value_key>": number, "source": "..."}.
  bool Sourced(const json& obj, const std::string& ptr, std::string_view key,
               std::string_view value_key, double min, double max, double* out) {
    const json* o = Member(obj, ptr, key);
    if (o == nullptr) return false;
    std::string p = ptr + "/" + Token(key);
    if (!OnlyKeys(*o, p, {value_key, "source"}) || !Source(*o, p)) return false;
    const json* v = Member(*o, p, value_key);
    return v != nullptr && Number(*v, p + "/" + Token(value_key), min, max, out);
  }

  // Reads [min, max] with `lo` ≤ min ≤ max ≤ `hi`, whole numbers if `integer`.
  bool RangeOf(const json& j, const std::string& ptr, double lo, double hi, bool integer,
               Range* out) {
    if (!j.is_array() || j.size() != 2) return Fail(ptr, "expected [min, max]");
    auto read = integer ? &MixParser::Integer : &MixParser::Number;
    if (!(this->*read)(j[0], ptr + "/0", lo, hi, &out->min) ||
        !(this->*read)(j[1], ptr + "/1", lo, hi, &out->max)) {
      return false;
    }
    return out->min <= out->max || Fail(ptr, "min is greater than max");
  }

  // Reads an array of exactly `out.size()` weights ≥ 0 that do not all vanish.
  bool Weights(const json& j, const std::string& ptr, std::span<double> out) {
    if (!j.is_array() || j.size() != out.size()) {
      return Fail(ptr, "expected an array of " + std::to_string(out.size()) + " weights");
    }
    double sum = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      if (!Number(j[i], ptr + "/" + std::to_string(i), 0, 1e12, &out[i])) return false;
      sum += out[i];
    }
    return sum > 0 || Fail(ptr, "weights are all zero");
  }

  bool Shares(const json& j, const std::string& ptr, std::span<double> out) {
    if (!j.is_array() || j.size() != out.size()) {
      return Fail(ptr, "expected an array of " + std::to_string(out.size()) + " shares");
    }
    for (size_t i = 0; i < out.size(); ++i) {
      if (!Share(j[i], ptr + "/" + std::to_string(i), &out[i])) return false;
    }
    return true;
  }

  bool Strings(const json& j, const std::string& ptr, std::vector<std::string>* out) {
    if (!j.is_array() || j.empty()) return Fail(ptr, "expected a non-empty array of strings");
    out->clear();
    for (size_t i = 0; i < j.size(); ++i) {
      if (!j[i].is_string() || j[i].get_ref<const std::string&>().empty()) {
        return Fail(ptr + "/" + std::to_string(i), "expected a non-empty string");
      }
      out->push_back(j[i].get<std::string>());
    }
    return true;
  }

  // Reads an array of province codes, each one of the mix's provinces.
  bool Provinces(const json& j, const std::string& ptr, std::vector<std::string>* out) {
    if (!Strings(j, ptr, out)) return false;
    for (size_t i = 0; i < out->size(); ++i) {
      if (!province_index_.contains((*out)[i])) {
        return Fail(ptr + "/" + std::to_string(i), "unknown province \"" + (*out)[i] + "\"");
      }
    }
    return true;
  }

  // Calls `fn(index, value, pointer)` for every member of `obj` but "source", where index is the
  // key's position in `names`. Fails on an unknown key and, if `all`, on a missing one.
  bool ForEachKey(const json& obj, const std::string& ptr, const std::vector<std::string>& names,
                  bool all, std::string_view what,
                  const std::function<bool(int, const json&, const std::string&)>& fn) {
    if (!Object(obj, ptr)) return false;
    std::vector<bool> seen(names.size());
    for (const auto& [key, value] : obj.items()) {
      if (key == "source") continue;
      std::string p = ptr + "/" + Token(key);
      auto it = std::find(names.begin(), names.end(), key);
      if (it == names.end()) return Fail(p, "unknown " + std::string(what));
      int i = static_cast<int>(it - names.begin());
      seen[i] = true;
      if (!fn(i, value, p)) return false;
    }
    if (all) {
      for (size_t i = 0; i < names.size(); ++i) {
        if (!seen[i]) return Fail(ptr + "/" + Token(names[i]), "missing");
      }
    }
    return true;
  }

  static std::string Format(double v) {
    json j = v;
    if (v == std::floor(v) && std::fabs(v) < 1e15) j = static_cast<int64_t>(v);
    return j.dump();
  }

  bool LegalForms(const json& root);
  bool Otop(const json& root);
  bool ProvinceWeights(const json& root);
  bool Industries(const json& root);
  bool IndustryWeights(const json& root);
  bool IndustryMultipliers(const json& root);
  bool Size(const json& root);
  bool Members(const json& root);
  bool YearsOperating(const json& root);
  bool Certifications(const json& root);
  bool DigitalAndNeeds(const json& root);
  bool FarmVatGs1Capacity(const json& root);
  bool Identifiers(const json& root);
  bool Participation(const json& root);
  bool Missing(const json& root);
  bool Names(const json& root);

  PopulationMix& mix_;
  std::string error_;
  std::vector<std::string> legal_forms_ = LabelIds(LegalFormLabels());
  std::vector<std::string> groups_ = [this] {
    std::vector<std::string> g = legal_forms_;
    g.emplace_back("otop");
    return g;
  }();
  std::vector<std::string> industries_ = LabelIds(IndustryLabels());
  std::vector<std::string> certifications_ = LabelIds(CertificationLabels());
  std::vector<std::string> dimensions_ = LabelIds(DimensionLabels());
  std::vector<std::string> sectors_ = LabelIds(SectorLabels());
  std::unordered_map<std::string, int> province_index_;
};

bool MixParser::Parse(const json& root) {
  if (!OnlyKeys(root, "",
                {"format",
                 "about",
                 "total_enterprises",
                 "legal_forms",
                 "otop",
                 "provinces",
                 "industries",
                 "industry_weights",
                 "industry_multipliers",
                 "size",
                 "members",
                 "years_operating",
                 "certifications",
                 "digital_readiness",
                 "needs",
                 "own_farm_produce",
                 "vat",
                 "gs1_barcode",
                 "capacity",
                 "identifiers",
                 "participation",
                 "missing",
                 "names"})) {
    return false;
  }
  const json* format = Member(root, "", "format");
  if (format == nullptr) return false;
  if (*format != "smematch.population_mix.v1") {
    return Fail("/format", "expected \"smematch.population_mix.v1\"");
  }
  return Sourced(root, "", "total_enterprises", "value", 1, 1e9, &mix_.total_enterprises) &&
         LegalForms(root) && Otop(root) && ProvinceWeights(root) && Industries(root) &&
         IndustryWeights(root) && IndustryMultipliers(root) && Size(root) && Members(root) &&
         YearsOperating(root) && Certifications(root) && DigitalAndNeeds(root) &&
         FarmVatGs1Capacity(root) && Identifiers(root) && Participation(root) && Missing(root) &&
         Names(root);
}

bool MixParser::LegalForms(const json& root) {
  const json* j = Member(root, "", "legal_forms");
  if (j == nullptr) return false;
  double sum = 0;
  bool ok = ForEachKey(*j, "/legal_forms", legal_forms_, true, "legal form",
                       [&](int i, const json&, const std::string&) {
                         double* w = &mix_.legal_form_weights[i];
                         bool good =
                             Sourced(*j, "/legal_forms", legal_forms_[i], "count", 0, 1e9, w);
                         sum += *w;
                         return good;
                       });
  return ok && (sum > 0 || Fail("/legal_forms", "counts are all zero"));
}

bool MixParser::Otop(const json& root) {
  const json* j = Member(root, "", "otop");
  const std::string p = "/otop";
  if (j == nullptr || !OnlyKeys(*j, p, {"producers", "share_by_legal_form", "stars_weights"}) ||
      !Sourced(*j, p, "producers", "value", 0, 1e9, &mix_.otop_producers)) {
    return false;
  }
  const json* shares = Member(*j, p, "share_by_legal_form");
  if (shares == nullptr) return false;
  double sum = 0;
  if (!ForEachKey(*shares, p + "/share_by_legal_form", legal_forms_, false, "legal form",
                  [&](int i, const json&, const std::string&) {
                    bool good = Sourced(*shares, p + "/share_by_legal_form", legal_forms_[i],
                                        "value", 0, 1, &mix_.otop_share_by_legal_form[i]);
                    sum += mix_.otop_share_by_legal_form[i];
                    return good;
                  })) {
    return false;
  }
  if (sum > 1 + 1e-9) return Fail(p + "/share_by_legal_form", "shares add up to more than 1");
  const json* stars = Member(*j, p, "stars_weights");
  const std::string sp = p + "/stars_weights";
  if (stars == nullptr || !OnlyKeys(*stars, sp, {"values", "source"}) || !Source(*stars, sp)) {
    return false;
  }
  const json* values = Member(*stars, sp, "values");
  return values != nullptr && Weights(*values, sp + "/values", mix_.otop_star_weights);
}

bool MixParser::ProvinceWeights(const json& root) {
  const json* j = Member(root, "", "provinces");
  if (j == nullptr || !Object(*j, "/provinces")) return false;
  if (j->empty()) return Fail("/provinces", "expected at least one province");
  double sum = 0;
  for (const auto& [code, entry] : j->items()) {
    std::string p = "/provinces/" + Token(code);
    if (!IsProvinceCode(code)) return Fail(p, "expected an ISO 3166-2:TH province code like TH-50");
    double w = 0;
    if (!OnlyKeys(entry, p, {"count", "source"}) || !Source(entry, p)) return false;
    const json* count = Member(entry, p, "count");
    if (count == nullptr || !Number(*count, p + "/count", 0, 1e9, &w)) return false;
    province_index_[code] = static_cast<int>(mix_.provinces.size());
    mix_.provinces.push_back({code, w});
    sum += w;
  }
  return sum > 0 || Fail("/provinces", "counts are all zero");
}

bool MixParser::Industries(const json& root) {
  const json* j = Member(root, "", "industries");
  if (j == nullptr || !Source(*j, "/industries")) return false;
  return ForEachKey(
      *j, "/industries", industries_, true, "industry",
      [&](int i, const json& v, const std::string& p) {
        PopulationMix::IndustryInfo& info = mix_.industries[i];
        if (!OnlyKeys(v, p, {"sector", "farm_based", "shelf_life_days", "products"})) return false;
        const json* sector = Member(v, p, "sector");
        if (sector == nullptr) return false;
        auto s = std::find(sectors_.begin(), sectors_.end(),
                           sector->is_string() ? sector->get<std::string>() : std::string());
        if (s == sectors_.end())
          return Fail(p + "/sector", "expected \"manufacturing\" or \"trade_services\"");
        info.sector = static_cast<SmeSector>(s - sectors_.begin());
        const json* farm = Member(v, p, "farm_based");
        if (farm == nullptr) return false;
        if (!farm->is_boolean()) return Fail(p + "/farm_based", "expected true or false");
        info.farm_based = farm->get<bool>();
        info.shelf_life_days.reset();
        if (auto it = v.find("shelf_life_days"); it != v.end()) {
          Range r;
          if (!RangeOf(*it, p + "/shelf_life_days", 1, 36500, true, &r)) return false;
          info.shelf_life_days = r;
        }
        const json* products = Member(v, p, "products");
        return products != nullptr && Strings(*products, p + "/products", &info.products);
      });
}

bool MixParser::IndustryWeights(const json& root) {
  const json* j = Member(root, "", "industry_weights");
  if (j == nullptr || !Source(*j, "/industry_weights")) return false;
  return ForEachKey(*j, "/industry_weights", groups_, true, "legal form or \"otop\"",
                    [&](int g, const json& v, const std::string& p) {
                      double sum = 0;
                      bool ok =
                          ForEachKey(v, p, industries_, false, "industry",
                                     [&](int i, const json& w, const std::string& wp) {
                                       sum += w.is_number() ? w.get<double>() : 0;
                                       return Number(w, wp, 0, 1e12, &mix_.industry_weights[g][i]);
                                     });
                      return ok && (sum > 0 || Fail(p, "weights are all zero"));
                    });
}

bool MixParser::IndustryMultipliers(const json& root) {
  const json* j = Member(root, "", "industry_multipliers");
  if (j == nullptr) return false;
  if (!j->is_array()) return Fail("/industry_multipliers", "expected an array");
  for (size_t k = 0; k < j->size(); ++k) {
    std::string p = "/industry_multipliers/" + std::to_string(k);
    const json& v = (*j)[k];
    PopulationMix::IndustryMultiplier m;
    m.multipliers.fill(1);
    if (!OnlyKeys(v, p, {"provinces", "multipliers", "source"}) || !Source(v, p)) return false;
    const json* provinces = Member(v, p, "provinces");
    const json* mult = provinces ? Member(v, p, "multipliers") : nullptr;
    if (mult == nullptr || !Provinces(*provinces, p + "/provinces", &m.provinces) ||
        !ForEachKey(*mult, p + "/multipliers", industries_, false, "industry",
                    [&](int i, const json& w, const std::string& wp) {
                      return Number(w, wp, 0, 1e6, &m.multipliers[i]);
                    })) {
      return false;
    }
    mix_.industry_multipliers.push_back(std::move(m));
  }
  return true;
}

bool MixParser::Size(const json& root) {
  const json* j = Member(root, "", "size");
  const std::string p = "/size";
  if (j == nullptr || !OnlyKeys(*j, p,
                                {"upper_bounds", "extremes", "weights_by_legal_form",
                                 "employee_size_mismatch_share"})) {
    return false;
  }
  const json* bounds = Member(*j, p, "upper_bounds");
  const std::string bp = p + "/upper_bounds";
  if (bounds == nullptr || !Source(*bounds, bp) ||
      !ForEachKey(
          *bounds, bp, sectors_, true, "sector", [&](int s, const json& v, const std::string& sp) {
            if (!OnlyKeys(v, sp, {"employees", "revenue_thb"})) return false;
            for (std::string_view key : {"employees", "revenue_thb"}) {
              const json* a = Member(v, sp, key);
              std::array<double, 3>& out = key == "employees" ? mix_.size_bounds[s].employees
                                                              : mix_.size_bounds[s].revenue_thb;
              std::string ap = sp + "/" + std::string(key);
              if (a == nullptr) return false;
              if (!a->is_array() || a->size() != 3) {
                return Fail(ap, "expected the upper bounds of micro, small and medium");
              }
              for (int i = 0; i < 3; ++i) {
                if (!Integer((*a)[i], ap + "/" + std::to_string(i), 1, 1e13, &out[i])) return false;
                if (i > 0 && out[i] <= out[i - 1]) {
                  return Fail(ap + "/" + std::to_string(i), "bounds must increase");
                }
              }
            }
            return true;
          })) {
    return false;
  }
  const json* ext = Member(*j, p, "extremes");
  const std::string ep = p + "/extremes";
  if (ext == nullptr || !OnlyKeys(*ext, ep, {"employees", "revenue_thb", "source"}) ||
      !Source(*ext, ep)) {
    return false;
  }
  const json* emp = Member(*ext, ep, "employees");
  const json* rev = emp ? Member(*ext, ep, "revenue_thb") : nullptr;
  if (rev == nullptr || !RangeOf(*emp, ep + "/employees", 0, 1e7, true, &mix_.employees_extremes) ||
      !RangeOf(*rev, ep + "/revenue_thb", 1, 1e13, true, &mix_.revenue_extremes)) {
    return false;
  }
  for (const PopulationMix::SizeBounds& b : mix_.size_bounds) {
    if (mix_.employees_extremes.min >= b.employees[0] ||
        mix_.employees_extremes.max <= b.employees[2]) {
      return Fail(ep + "/employees", "must reach below the micro bound and above the medium bound");
    }
    if (mix_.revenue_extremes.min >= b.revenue_thb[0] ||
        mix_.revenue_extremes.max <= b.revenue_thb[2]) {
      return Fail(ep + "/revenue_thb",
                  "must reach below the micro bound and above the medium bound");
    }
  }
  const json* weights = Member(*j, p, "weights_by_legal_form");
  const std::string wp = p + "/weights_by_legal_form";
  return weights != nullptr && Source(*weights, wp) &&
         ForEachKey(*weights, wp, legal_forms_, true, "legal form",
                    [&](int f, const json& v, const std::string& fp) {
                      return Weights(v, fp, mix_.size_weights[f]);
                    }) &&
         Sourced(*j, p, "employee_size_mismatch_share", "value", 0, 1,
                 &mix_.employee_size_mismatch_share);
}

bool MixParser::Members(const json& root) {
  const json* j = Member(root, "", "members");
  return j != nullptr &&
         ForEachKey(*j, "/members", legal_forms_, false, "legal form",
                    [&](int f, const json& v, const std::string& p) {
                      Range r;
                      if (!OnlyKeys(v, p, {"range", "source"}) || !Source(v, p)) return false;
                      const json* range = Member(v, p, "range");
                      if (range == nullptr || !RangeOf(*range, p + "/range", 1, 1e7, true, &r)) {
                        return false;
                      }
                      mix_.members[f] = r;
                      return true;
                    });
}

bool MixParser::YearsOperating(const json& root) {
  const json* j = Member(root, "", "years_operating");
  const std::string p = "/years_operating";
  if (j == nullptr || !OnlyKeys(*j, p, {"by_size", "source"}) || !Source(*j, p)) return false;
  const json* by_size = Member(*j, p, "by_size");
  if (by_size == nullptr) return false;
  if (!by_size->is_array() || by_size->size() != kSizes) {
    return Fail(p + "/by_size", "expected 4 ranges: micro, small, medium, large");
  }
  for (int z = 0; z < kSizes; ++z) {
    if (!RangeOf((*by_size)[z], p + "/by_size/" + std::to_string(z), 0, 200, false,
                 &mix_.years_operating[z])) {
      return false;
    }
  }
  return true;
}

bool MixParser::Certifications(const json& root) {
  const json* j = Member(root, "", "certifications");
  return j != nullptr &&
         ForEachKey(
             *j, "/certifications", certifications_, true, "certification",
             [&](int c, const json& v, const std::string& p) {
               PopulationMix::CertificationRule& rule = mix_.certifications[c];
               rule = {};
               rule.group_multipliers.fill(1);
               if (!OnlyKeys(v, p,
                             {"rate", "industries", "group_multipliers", "size_multipliers",
                              "province_multipliers", "requires", "source"}) ||
                   !Source(v, p)) {
                 return false;
               }
               const json* rate = Member(v, p, "rate");
               const json* industries = rate ? Member(v, p, "industries") : nullptr;
               std::vector<std::string> names;
               if (industries == nullptr || !Share(*rate, p + "/rate", &rule.rate) ||
                   !Strings(*industries, p + "/industries", &names)) {
                 return false;
               }
               for (size_t i = 0; i < names.size(); ++i) {
                 auto it = std::find(industries_.begin(), industries_.end(), names[i]);
                 if (it == industries_.end())
                   return Fail(p + "/industries/" + std::to_string(i), "unknown industry");
                 rule.industries |= 1u << (it - industries_.begin());
               }
               if (auto it = v.find("group_multipliers"); it != v.end()) {
                 if (!ForEachKey(*it, p + "/group_multipliers", groups_, false,
                                 "legal form or \"otop\"",
                                 [&](int g, const json& w, const std::string& wp) {
                                   return Number(w, wp, 0, 1e6, &rule.group_multipliers[g]);
                                 })) {
                   return false;
                 }
               }
               const json* size = Member(v, p, "size_multipliers");
               if (size == nullptr) return false;
               if (!size->is_array() || size->size() != kSizes) {
                 return Fail(p + "/size_multipliers",
                             "expected 4 multipliers: micro, small, medium, large");
               }
               for (int z = 0; z < kSizes; ++z) {
                 if (!Number((*size)[z], p + "/size_multipliers/" + std::to_string(z), 0, 1e6,
                             &rule.size_multipliers[z])) {
                   return false;
                 }
               }
               if (auto it = v.find("province_multipliers"); it != v.end()) {
                 if (!it->is_array()) return Fail(p + "/province_multipliers", "expected an array");
                 for (size_t k = 0; k < it->size(); ++k) {
                   std::string mp = p + "/province_multipliers/" + std::to_string(k);
                   PopulationMix::ProvinceMultiplier m;
                   const json& e = (*it)[k];
                   if (!OnlyKeys(e, mp, {"provinces", "multiplier"})) return false;
                   const json* provinces = Member(e, mp, "provinces");
                   const json* mult = provinces ? Member(e, mp, "multiplier") : nullptr;
                   if (mult == nullptr || !Provinces(*provinces, mp + "/provinces", &m.provinces) ||
                       !Number(*mult, mp + "/multiplier", 0, 1e6, &m.multiplier)) {
                     return false;
                   }
                   rule.province_multipliers.push_back(std::move(m));
                 }
               }
               if (auto it = v.find("requires"); it != v.end()) {
                 // Generation visits certificates in Certification order, so a prerequisite comes
                 // first.
                 auto req = std::find(certifications_.begin(), certifications_.end(),
                                      it->is_string() ? it->get<std::string>() : std::string());
                 if (req == certifications_.end() || req - certifications_.begin() >= c) {
                   return Fail(p + "/requires",
                               "expected a certification listed before this one (order: " +
                                   std::string("fda, gmp, haccp, tisi, tcps, halal)"));
                 }
                 rule.requires_cert = static_cast<Certification>(req - certifications_.begin());
               }
               return true;
             });
}

bool MixParser::DigitalAndNeeds(const json& root) {
  const json* d = Member(root, "", "digital_readiness");
  const std::string dp = "/digital_readiness";
  if (d == nullptr || !OnlyKeys(*d, dp, {"weights_by_size", "source"}) || !Source(*d, dp)) {
    return false;
  }
  const json* by_size = Member(*d, dp, "weights_by_size");
  if (by_size == nullptr) return false;
  if (!by_size->is_array() || by_size->size() != kSizes) {
    return Fail(dp + "/weights_by_size", "expected 4 arrays: micro, small, medium, large");
  }
  for (int z = 0; z < kSizes; ++z) {
    if (!Weights((*by_size)[z], dp + "/weights_by_size/" + std::to_string(z),
                 mix_.digital_readiness_weights[z])) {
      return false;
    }
  }
  const json* n = Member(root, "", "needs");
  const std::string np = "/needs";
  if (n == nullptr || !OnlyKeys(*n, np, {"assessed_share", "weights"}) ||
      !Sourced(*n, np, "assessed_share", "value", 0, 1, &mix_.needs_assessed_share)) {
    return false;
  }
  const json* w = Member(*n, np, "weights");
  return w != nullptr && Source(*w, np + "/weights") &&
         ForEachKey(*w, np + "/weights", dimensions_, true, "dimension",
                    [&](int i, const json& v, const std::string& p) {
                      return Weights(v, p, mix_.need_weights[i]);
                    });
}

bool MixParser::FarmVatGs1Capacity(const json& root) {
  const json* farm = Member(root, "", "own_farm_produce");
  if (farm == nullptr || !Source(*farm, "/own_farm_produce") ||
      !ForEachKey(*farm, "/own_farm_produce", legal_forms_, true, "legal form",
                  [&](int f, const json& v, const std::string& p) {
                    return Share(v, p, &mix_.own_farm_produce_share[f]);
                  })) {
    return false;
  }
  const json* vat = Member(root, "", "vat");
  if (vat == nullptr ||
      !OnlyKeys(*vat, "/vat",
                {"threshold_thb", "registered_share_above", "registered_share_below"}) ||
      !Sourced(*vat, "/vat", "threshold_thb", "value", 0, 1e13, &mix_.vat_threshold_thb) ||
      !Sourced(*vat, "/vat", "registered_share_above", "value", 0, 1, &mix_.vat_share_above) ||
      !Sourced(*vat, "/vat", "registered_share_below", "value", 0, 1, &mix_.vat_share_below)) {
    return false;
  }
  const json* gs1 = Member(root, "", "gs1_barcode");
  if (gs1 == nullptr || !OnlyKeys(*gs1, "/gs1_barcode", {"share_by_size", "source"}) ||
      !Source(*gs1, "/gs1_barcode")) {
    return false;
  }
  const json* shares = Member(*gs1, "/gs1_barcode", "share_by_size");
  if (shares == nullptr || !Shares(*shares, "/gs1_barcode/share_by_size", mix_.gs1_share_by_size)) {
    return false;
  }
  const json* cap = Member(root, "", "capacity");
  if (cap == nullptr || !OnlyKeys(*cap, "/capacity", {"unit_price_thb", "source"}) ||
      !Source(*cap, "/capacity")) {
    return false;
  }
  const json* price = Member(*cap, "/capacity", "unit_price_thb");
  return price != nullptr &&
         RangeOf(*price, "/capacity/unit_price_thb", 1, 1e9, true, &mix_.unit_price_thb);
}

bool MixParser::Identifiers(const json& root) {
  const json* j = Member(root, "", "identifiers");
  if (j == nullptr || !Source(*j, "/identifiers")) return false;
  return ForEachKey(
      *j, "/identifiers", legal_forms_, true, "legal form",
      [&](int f, const json& v, const std::string& p) {
        PopulationMix::IdentifierRule& rule = mix_.identifiers[f];
        rule = {};
        if (!OnlyKeys(v, p, {"share", "patterns"})) return false;
        const json* share = Member(v, p, "share");
        const json* patterns = share ? Member(v, p, "patterns") : nullptr;
        if (patterns == nullptr || !Share(*share, p + "/share", &rule.share) ||
            !Object(*patterns, p + "/patterns")) {
          return false;
        }
        double sum = 0;
        for (const auto& [pattern, weight] : patterns->items()) {
          std::string pp = p + "/patterns/" + Token(pattern);
          bool chars_ok = pattern.size() == kPatternLength &&
                          pattern.find_first_not_of("0123456789PD") == std::string::npos;
          size_t first_p = pattern.find('P');
          bool province_ok =
              first_p == std::string::npos || (pattern.substr(first_p, 2) == "PP" &&
                                               pattern.find('P', first_p + 2) == std::string::npos);
          if (!chars_ok || !province_ok) {
            return Fail(
                pp,
                "expected 12 characters of digits, one \"PP\" (province) and \"D\" (any digit)");
          }
          // Identifiers never start with 9 (FACTS.md §3); a leading D or P could produce one.
          if (pattern[0] < '0' || pattern[0] > '8') return Fail(pp, "must start with a digit 0–8");
          double w = 0;
          if (!Number(weight, pp, 0, 1e12, &w)) return false;
          rule.patterns.push_back({pattern, w});
          sum += w;
        }
        if (rule.share > 0 && sum <= 0)
          return Fail(p + "/patterns", "expected a pattern of positive weight");
        return true;
      });
}

bool MixParser::Participation(const json& root) {
  const json* j = Member(root, "", "participation");
  const std::string p = "/participation";
  if (j == nullptr ||
      !OnlyKeys(*j, p, {"share", "second_share", "programs", "fiscal_years", "man_days"}) ||
      !Sourced(*j, p, "share", "value", 0, 1, &mix_.participation_share) ||
      !Sourced(*j, p, "second_share", "value", 0, 1, &mix_.second_participation_share)) {
    return false;
  }
  const json* programs = Member(*j, p, "programs");
  if (programs == nullptr || !Source(*programs, p + "/programs")) return false;
  double sum = 0;
  for (const auto& [program, weight] : programs->items()) {
    if (program == "source") continue;
    std::string pp = p + "/programs/" + Token(program);
    if (program.size() > 32) return Fail(pp, "expected a program id of at most 32 characters");
    double w = 0;
    if (!Number(weight, pp, 0, 1e12, &w)) return false;
    mix_.programs.push_back({program, w, std::nullopt});
    sum += w;
  }
  if (sum <= 0) return Fail(p + "/programs", "expected a program of positive weight");
  const json* years = Member(*j, p, "fiscal_years");
  if (years == nullptr || !Source(*years, p + "/fiscal_years")) return false;
  sum = 0;
  for (const auto& [year, weight] : years->items()) {
    if (year == "source") continue;
    std::string yp = p + "/fiscal_years/" + Token(year);
    int fy = 0;
    bool digits = year.size() == 4 && year.find_first_not_of("0123456789") == std::string::npos;
    if (digits) fy = std::stoi(year);
    if (!digits || fy < 2000 || fy > 2200) {
      return Fail(yp, "expected a Gregorian fiscal year from 2000 to 2200");
    }
    double w = 0;
    if (!Number(weight, yp, 0, 1e12, &w)) return false;
    mix_.fiscal_years.push_back({fy, w});
    sum += w;
  }
  if (sum <= 0) return Fail(p + "/fiscal_years", "expected a fiscal year of positive weight");
  const json* man_days = Member(*j, p, "man_days");
  if (man_days == nullptr || !Object(*man_days, p + "/man_days")) return false;
  for (const auto& item : man_days->items()) {
    const std::string& program = item.key();
    const json& v = item.value();
    std::string mp = p + "/man_days/" + Token(program);
    auto it = std::find_if(mix_.programs.begin(), mix_.programs.end(),
                           [&](const auto& w) { return w.program == program; });
    if (it == mix_.programs.end()) return Fail(mp, "not one of /participation/programs");
    Range r;
    if (!OnlyKeys(v, mp, {"range", "source"}) || !Source(v, mp)) return false;
    const json* range = Member(v, mp, "range");
    if (range == nullptr || !RangeOf(*range, mp + "/range", 0, 366, true, &r)) return false;
    it->man_days = r;
  }
  return true;
}

bool MixParser::Missing(const json& root) {
  const json* j = Member(root, "", "missing");
  if (j == nullptr || !Source(*j, "/missing")) return false;
  std::vector<std::string> fields;
  for (int i = 0; i < kProfileFieldCount; ++i) {
    fields.emplace_back(FieldName(static_cast<ProfileField>(i)));
  }
  return ForEachKey(*j, "/missing", fields, false, "profile field",
                    [&](int i, const json& v, const std::string& p) {
                      auto f = static_cast<ProfileField>(i);
                      if (f == ProfileField::kId || f == ProfileField::kName) {
                        return Fail(p, "a required field cannot be missing");
                      }
                      return Share(v, p, &mix_.missing_share[i]);
                    });
}

bool MixParser::Names(const json& root) {
  const json* j = Member(root, "", "names");
  const std::string p = "/names";
  if (j == nullptr || !OnlyKeys(*j, p, {"templates", "places", "brands", "source"}) ||
      !Source(*j, p)) {
    return false;
  }
  const json* templates = Member(*j, p, "templates");
  const json* places = templates ? Member(*j, p, "places") : nullptr;
  const json* brands = places ? Member(*j, p, "brands") : nullptr;
  return brands != nullptr && Strings(*places, p + "/places", &mix_.places) &&
         Strings(*brands, p + "/brands", &mix_.brands) &&
         ForEachKey(*templates, p + "/templates", legal_forms_, true, "legal form",
                    [&](int f, const json& v, const std::string& tp) {
                      if (!Strings(v, tp, &mix_.name_templates[f])) return false;
                      for (size_t k = 0; k < mix_.name_templates[f].size(); ++k) {
                        std::string_view t = mix_.name_templates[f][k];
                        for (size_t open = t.find('{'); open != std::string_view::npos;
                             open = t.find('{', open + 1)) {
                          size_t close = t.find('}', open);
                          std::string_view token = close == std::string_view::npos
                                                       ? ""
                                                       : t.substr(open, close - open + 1);
                          if (token != "{product}" && token != "{place}" && token != "{brand}") {
                            return Fail(tp + "/" + std::to_string(k),
                                        "placeholders are {product}, {place} and {brand}");
                          }
                        }
                      }
                      return true;
                    });
}

// ---------------------------------------------------------------------------------------------
// Random numbers and sampling. Everything below runs identically on every conforming platform:
// 64-bit integer arithmetic, and at construction IEEE-754 double operations that are exactly
// specified (+ − × ÷, std::fma, std::ldexp, std::frexp, std::llround) with every
// multiply-add written as an explicit std::fma, so compiler FMA contraction cannot change it.
// (Checked: identical output from GCC and Clang at -O0 to -O3 -march=native -ffp-contract=fast;
// -ffast-math, which drops IEEE semantics, changes it.)

uint64_t Mix64(uint64_t z) {  // the splitmix64 finaliser
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t state) : state_(state) {}
  uint64_t Next() {
    state_ += 0x9E3779B97F4A7C15ull;
    return Mix64(state_);
  }

 private:
  uint64_t state_;
};

// Returns an integer in [0, n) from the high 32 bits of `r` (n ≤ 2^32).
inline uint32_t Below(uint64_t r, uint64_t n) {
  return static_cast<uint32_t>(((r >> 32) * n) >> 32);
}

// A probability as a threshold on 53 random bits.
uint64_t Threshold(double p) {
  p = std::clamp(p, 0.0, 1.0);
  return static_cast<uint64_t>(p * 0x1p53);  // exact scaling; p = 1 gives 2^53: always true
}
inline bool Bernoulli(uint64_t r, uint64_t threshold) { return (r >> 11) < threshold; }

// Vose's alias method over integer thresholds: one 64-bit draw per sample.
class Alias {
 public:
  Alias() = default;
  explicit Alias(std::span<const double> weights) {
    const size_t n = weights.size();
    double sum = 0;
    for (double w : weights) sum += w;
    threshold_.assign(n, uint64_t{1} << 32);
    alias_.resize(n);
    for (size_t i = 0; i < n; ++i) alias_[i] = static_cast<uint32_t>(i);
    if (sum <= 0) return;  // degenerate: uniform
    std::vector<double> scaled(n);
    std::vector<uint32_t> small, large;
    for (size_t i = 0; i < n; ++i) {
      scaled[i] = weights[i] * static_cast<double>(n) / sum;
      (scaled[i] < 1 ? small : large).push_back(static_cast<uint32_t>(i));
    }
    while (!small.empty() && !large.empty()) {
      uint32_t s = small.back(), l = large.back();
      small.pop_back();
      large.pop_back();
      threshold_[s] = static_cast<uint64_t>(scaled[s] * 0x1p32);
      alias_[s] = l;
      scaled[l] = (scaled[l] + scaled[s]) - 1.0;
      (scaled[l] < 1 ? small : large).push_back(l);
    }
    // Leftovers are 1 up to rounding and keep their full threshold.
  }

  uint32_t Sample(uint64_t r) const {
    uint32_t col = Below(r, threshold_.size());
    return (r & 0xFFFFFFFFull) < threshold_[col] ? col : alias_[col];
  }

 private:
  std::vector<uint64_t> threshold_;  // in [0, 2^32]: keep `col` if the low 32 bits are below
  std::vector<uint32_t> alias_;
};

// 2^x for 0 ≤ x < 1024: 2^⌊x⌋ × e^(f·ln 2) by a degree-14 Taylor polynomial (error < 1e-15).
double Exp2(double x) {
  double n = std::floor(x);
  double y = (x - n) * 0.6931471805599453;
  double p = 1.0 / 87178291200.0;  // 1/14!
  double factorial = 87178291200.0;
  for (int k = 14; k >= 1; --k) {
    factorial /= k;  // (k−1)!
    p = std::fma(p, y, 1.0 / factorial);
  }
  return std::ldexp(p, static_cast<int>(n));
}

// log2(x) for x > 0: exponent plus 2·atanh((m−1)/(m+1))/ln 2 with m in [√½, √2).
double Log2(double x) {
  int e = 0;
  double m = std::frexp(x, &e);  // m in [0.5, 1)
  if (m < 0.7071067811865476) {
    m = m * 2;
    e -= 1;
  }
  double z = (m - 1) / (m + 1);  // |z| < 0.172
  double z2 = z * z;
  double p = 1.0 / 29;
  for (int k = 27; k >= 1; k -= 2) p = std::fma(p, z2, 1.0 / k);
  double ln_m = 2 * z * p;
  return std::fma(ln_m, 1.4426950408889634, static_cast<double>(e));
}

// Whole numbers in [min, max], log-uniform: ⌊v⌋ − 1 for v log-uniform in [min + 1, max + 2), as
// 1024 precomputed quantiles with integer interpolation between them.
class LogUniform {
 public:
  LogUniform() = default;
  LogUniform(double min, double max) {
    const double lo = min + 1, hi = max + 2;
    const double span = Log2(hi / lo);
    for (int k = 0; k <= kBins; ++k) {
      double x = static_cast<double>(k) * span / kBins;
      quantile_[k] = std::llround(lo * Exp2(x));
    }
    quantile_[0] = static_cast<int64_t>(lo);
    quantile_[kBins] = static_cast<int64_t>(hi);
    for (int k = 1; k <= kBins; ++k) quantile_[k] = std::max(quantile_[k], quantile_[k - 1]);
  }

  int64_t Sample(uint64_t r) const {
    const uint64_t bin = r >> (64 - kBinBits);
    const int64_t frac =
        static_cast<int64_t>((r >> (64 - kBinBits - kFracBits)) & ((1u << kFracBits) - 1));
    const int64_t a = quantile_[bin], b = quantile_[bin + 1];
    return a + (((b - a) * frac) >> kFracBits) - 1;
  }

 private:
  static constexpr int kBinBits = 10;
  static constexpr int kBins = 1 << kBinBits;
  static constexpr int kFracBits = 22;
  std::array<int64_t, kBins + 1> quantile_{};
};

// Whole numbers in [min, max], uniform.
struct UniformInt {
  int64_t min = 0;
  uint64_t count = 1;
  int64_t Sample(uint64_t r) const { return min + Below(r, count); }
};

enum class NamePart : uint8_t { kLiteral, kProduct, kPlace, kBrand };
struct NameSegment {
  NamePart part;
  std::string text;  // for kLiteral
};

std::vector<NameSegment> CompileTemplate(std::string_view t) {
  std::vector<NameSegment> segments;
  while (!t.empty()) {
    size_t open = t.find('{');
    if (open != 0) {
      segments.push_back({NamePart::kLiteral, std::string(t.substr(0, open))});
      if (open == std::string_view::npos) break;
      t.remove_prefix(open);
    }
    size_t close = t.find('}');
    std::string_view token = t.substr(0, close + 1);
    segments.push_back({token == "{product}" ? NamePart::kProduct
                        : token == "{place}" ? NamePart::kPlace
                                             : NamePart::kBrand,
                        {}});
    t.remove_prefix(close + 1);
  }
  return segments;
}

template <typename T>
const T& Pick(const std::vector<T>& v, uint64_t r) {
  return v[Below(r, v.size())];
}

}  // namespace

Result<PopulationMix> ParsePopulationMix(std::string_view json_text) {
  json root = json::parse(json_text.begin(), json_text.end(), nullptr, false);
  if (root.is_discarded()) return InvalidArgumentError("population mix: malformed JSON");
  PopulationMix mix;
  MixParser parser(&mix);
  if (!parser.Parse(root)) return InvalidArgumentError("population mix: " + parser.error());
  return mix;
}

// ---------------------------------------------------------------------------------------------
// Generation

struct PopulationGenerator::Tables {
  struct CertificationOdds {
    uint32_t industries = 0;
    double rate = 0;
    std::array<double, kGroups> group{};
    std::array<double, kSizes> size{};
    std::vector<double> province;  // by province index
    int requires_cert = -1;
  };
  struct Identifier {
    uint64_t share = 0;
    Alias pattern;
    std::vector<std::string> patterns;
  };
  struct Program {
    std::string id;
    std::optional<UniformInt> man_days;
  };

  Alias province;
  std::vector<std::string> province_codes;
  Alias legal_form;
  std::array<uint64_t, kLegalForms> otop{};
  Alias otop_stars;
  std::vector<std::array<Alias, kGroups>> industry;  // by province, group
  std::array<SmeSector, kIndustryCount> sector{};
  std::array<bool, kIndustryCount> farm_based{};
  std::array<std::optional<LogUniform>, kIndustryCount> shelf_life;
  std::array<std::vector<std::string>, kIndustryCount> products;
  std::array<Alias, kLegalForms> size;
  uint64_t size_mismatch = 0;
  std::array<std::array<LogUniform, kSizes>, 2> employees;  // by sector, size
  std::array<std::array<LogUniform, kSizes>, 2> revenue;
  std::array<std::optional<LogUniform>, kLegalForms> members;
  std::array<UniformInt, kSizes> years_tenths;
  std::array<CertificationOdds, kCertificationCount> certifications;
  std::array<Alias, kSizes> digital_readiness;
  uint64_t needs_assessed = 0;
  std::array<Alias, kDimensionCount> needs;
  std::array<uint64_t, kLegalForms> own_farm{};
  double vat_threshold_thb = 0;
  uint64_t vat_above = 0, vat_below = 0;
  std::array<uint64_t, kSizes> gs1{};
  LogUniform unit_price;
  std::array<Identifier, kLegalForms> identifiers;
  uint64_t participation = 0, second_participation = 0;
  Alias program;
  std::vector<Program> programs;
  Alias fiscal_year;
  std::vector<int> fiscal_years;
  std::array<uint64_t, kProfileFieldCount> missing{};
  std::array<std::vector<std::vector<NameSegment>>, kLegalForms> templates;
  std::vector<std::string> places, brands;
};

PopulationGenerator::PopulationGenerator(const PopulationMix& mix, uint64_t seed)
    : seed_key_(Mix64(seed ^ 0x5EED5EED5EED5EEDull)) {
  auto t = std::make_shared<Tables>();
  const size_t provinces = mix.provinces.size();
  std::vector<double> w;
  for (const auto& p : mix.provinces) {
    w.push_back(p.weight);
    t->province_codes.push_back(p.iso_code);
  }
  t->province = Alias(w);
  t->legal_form = Alias(mix.legal_form_weights);
  for (int f = 0; f < kLegalForms; ++f) {
    // P(OTOP | form) = OTOP producers of this form / enterprises of this form.
    double n = mix.legal_form_weights[f];
    t->otop[f] = n > 0 ? Threshold(mix.otop_producers * mix.otop_share_by_legal_form[f] / n) : 0;
  }
  t->otop_stars = Alias(mix.otop_star_weights);

  // Industry tables per province: the group's weights scaled by every multiplier naming it.
  t->industry.resize(provinces);
  for (size_t p = 0; p < provinces; ++p) {
    std::array<double, kIndustryCount> scale;
    scale.fill(1);
    for (const auto& m : mix.industry_multipliers) {
      if (std::find(m.provinces.begin(), m.provinces.end(), mix.provinces[p].iso_code) ==
          m.provinces.end()) {
        continue;
      }
      for (int i = 0; i < kIndustryCount; ++i) scale[i] *= m.multipliers[i];
    }
    for (int g = 0; g < kGroups; ++g) {
      std::array<double, kIndustryCount> scaled;
      double sum = 0;
      for (int i = 0; i < kIndustryCount; ++i) {
        scaled[i] = mix.industry_weights[g][i] * scale[i];
        sum += scaled[i];
      }
      t->industry[p][g] = Alias(sum > 0 ? std::span<const double>(scaled)
                                        : std::span<const double>(mix.industry_weights[g]));
    }
  }
  for (int i = 0; i < kIndustryCount; ++i) {
    const auto& info = mix.industries[i];
    t->sector[i] = info.sector;
    t->farm_based[i] = info.farm_based;
    if (info.shelf_life_days) {
      t->shelf_life[i] = LogUniform(info.shelf_life_days->min, info.shelf_life_days->max);
    }
    t->products[i] = info.products;
  }

  for (int f = 0; f < kLegalForms; ++f) t->size[f] = Alias(mix.size_weights[f]);
  t->size_mismatch = Threshold(mix.employee_size_mismatch_share);
  for (int s = 0; s < 2; ++s) {
    const auto& b = mix.size_bounds[s];
    for (int z = 0; z < kSizes; ++z) {
      double emp_lo = z == 0 ? mix.employees_extremes.min : b.employees[z - 1] + 1;
      double emp_hi = z == 3 ? mix.employees_extremes.max : b.employees[z];
      // Revenue bounds are inclusive upper bounds in THB; generated revenue is whole baht.
      double rev_lo = z == 0 ? mix.revenue_extremes.min : b.revenue_thb[z - 1] + 1;
      double rev_hi = z == 3 ? mix.revenue_extremes.max : b.revenue_thb[z];
      t->employees[s][z] = LogUniform(emp_lo, emp_hi);
      t->revenue[s][z] = LogUniform(rev_lo, rev_hi);
    }
  }
  for (int f = 0; f < kLegalForms; ++f) {
    if (mix.members[f]) t->members[f] = LogUniform(mix.members[f]->min, mix.members[f]->max);
  }
  for (int z = 0; z < kSizes; ++z) {
    int64_t lo = std::llround(mix.years_operating[z].min * 10);
    int64_t hi = std::llround(mix.years_operating[z].max * 10);
    t->years_tenths[z] = {lo, static_cast<uint64_t>(hi - lo + 1)};
  }
  for (int c = 0; c < kCertificationCount; ++c) {
    const auto& rule = mix.certifications[c];
    auto& cert = t->certifications[c];
    cert.industries = rule.industries;
    cert.rate = rule.rate;
    cert.group = rule.group_multipliers;
    cert.size = rule.size_multipliers;
    cert.province.assign(provinces, 1.0);
    for (const auto& m : rule.province_multipliers) {
      for (size_t p = 0; p < provinces; ++p) {
        if (std::find(m.provinces.begin(), m.provinces.end(), mix.provinces[p].iso_code) !=
            m.provinces.end()) {
          cert.province[p] *= m.multiplier;
        }
      }
    }
    cert.requires_cert = rule.requires_cert ? static_cast<int>(*rule.requires_cert) : -1;
  }
  for (int z = 0; z < kSizes; ++z)
    t->digital_readiness[z] = Alias(mix.digital_readiness_weights[z]);
  t->needs_assessed = Threshold(mix.needs_assessed_share);
  for (int d = 0; d < kDimensionCount; ++d) t->needs[d] = Alias(mix.need_weights[d]);
  for (int f = 0; f < kLegalForms; ++f) t->own_farm[f] = Threshold(mix.own_farm_produce_share[f]);
  t->vat_threshold_thb = mix.vat_threshold_thb;
  t->vat_above = Threshold(mix.vat_share_above);
  t->vat_below = Threshold(mix.vat_share_below);
  for (int z = 0; z < kSizes; ++z) t->gs1[z] = Threshold(mix.gs1_share_by_size[z]);
  t->unit_price = LogUniform(mix.unit_price_thb.min, mix.unit_price_thb.max);
  for (int f = 0; f < kLegalForms; ++f) {
    const auto& rule = mix.identifiers[f];
    auto& id = t->identifiers[f];
    w.clear();
    for (const auto& p : rule.patterns) {
      w.push_back(p.weight);
      id.patterns.push_back(p.pattern);
    }
    id.share = rule.patterns.empty() ? 0 : Threshold(rule.share);
    id.pattern = Alias(w);
  }
  t->participation = Threshold(mix.participation_share);
  t->second_participation = Threshold(mix.second_participation_share);
  w.clear();
  for (const auto& p : mix.programs) {
    w.push_back(p.weight);
    Tables::Program program{p.program, std::nullopt};
    if (p.man_days) {
      auto lo = static_cast<int64_t>(p.man_days->min);
      program.man_days =
          UniformInt{lo, static_cast<uint64_t>(static_cast<int64_t>(p.man_days->max) - lo + 1)};
    }
    t->programs.push_back(std::move(program));
  }
  t->program = Alias(w);
  w.clear();
  for (const auto& y : mix.fiscal_years) {
    w.push_back(y.weight);
    t->fiscal_years.push_back(y.fiscal_year);
  }
  t->fiscal_year = Alias(w);
  for (int i = 0; i < kProfileFieldCount; ++i) t->missing[i] = Threshold(mix.missing_share[i]);
  for (int f = 0; f < kLegalForms; ++f) {
    for (const std::string& tmpl : mix.name_templates[f])
      t->templates[f].push_back(CompileTemplate(tmpl));
  }
  t->places = mix.places;
  t->brands = mix.brands;
  tables_ = std::move(t);
}

void PopulationGenerator::Generate(uint64_t index, EnterpriseProfile* out) const {
  const Tables& t = *tables_;
  SplitMix64 rng(Mix64(seed_key_ ^ Mix64(index + 0x632BE59BD9B4E019ull)));

  // Record id "SYN-" + index + 1, at least 7 digits.
  {
    char digits[20];
    int n = 0;
    for (uint64_t v = index + 1; v != 0 || n < 7; v /= 10)
      digits[n++] = static_cast<char>('0' + v % 10);
    out->id.assign("SYN-");
    for (int i = n - 1; i >= 0; --i) out->id.push_back(digits[i]);
  }

  const uint32_t province = t.province.Sample(rng.Next());
  const int form = static_cast<int>(t.legal_form.Sample(rng.Next()));
  const bool otop = Bernoulli(rng.Next(), t.otop[form]);
  const int group = otop ? kOtopGroup : form;
  const int industry = static_cast<int>(t.industry[province][group].Sample(rng.Next()));
  const SmeSector sector = t.sector[industry];
  const int s = static_cast<int>(sector);
  const int size = static_cast<int>(t.size[form].Sample(rng.Next()));

  const int64_t revenue = t.revenue[s][size].Sample(rng.Next());
  int employee_size = size;
  if (Bernoulli(rng.Next(), t.size_mismatch)) {
    const bool down = size == kSizes - 1 || (size > 0 && (rng.Next() >> 63) != 0);
    employee_size = down ? size - 1 : size + 1;
  }

  const std::string& code = t.province_codes[province];
  if (out->province) {
    out->province->assign(code);
  } else {
    out->province.emplace(code);
  }
  out->legal_form = static_cast<LegalForm>(form);
  out->sector = sector;
  out->industry = static_cast<Industry>(industry);
  out->employees = t.employees[s][employee_size].Sample(rng.Next());
  out->annual_revenue_thb = static_cast<double>(revenue);
  out->years_operating = static_cast<double>(t.years_tenths[size].Sample(rng.Next())) / 10;
  if (t.members[form]) {
    out->members = t.members[form]->Sample(rng.Next());
  } else {
    out->members.reset();
  }

  out->certifications = 0;
  for (int c = 0; c < kCertificationCount; ++c) {
    const auto& cert = t.certifications[c];
    const uint64_t r = rng.Next();
    if (((cert.industries >> industry) & 1u) == 0) continue;
    if (cert.requires_cert >= 0 && ((out->certifications >> cert.requires_cert) & 1u) == 0)
      continue;
    double p = cert.rate * cert.group[form] * cert.size[size] * cert.province[province];
    if (otop) p = p * cert.group[kOtopGroup];
    if (Bernoulli(r, Threshold(p))) out->certifications |= 1u << c;
  }
  out->otop_stars = otop ? static_cast<int>(t.otop_stars.Sample(rng.Next())) : 0;
  out->digital_readiness = static_cast<int>(t.digital_readiness[size].Sample(rng.Next()));
  if (Bernoulli(rng.Next(), t.needs_assessed)) {
    std::array<int, kDimensionCount> needs;
    for (int d = 0; d < kDimensionCount; ++d)
      needs[d] = static_cast<int>(t.needs[d].Sample(rng.Next()));
    out->needs = needs;
  } else {
    out->needs.reset();
  }
  out->own_farm_produce = t.farm_based[industry] && Bernoulli(rng.Next(), t.own_farm[form]);
  out->vat_registered = Bernoulli(
      rng.Next(), static_cast<double>(revenue) > t.vat_threshold_thb ? t.vat_above : t.vat_below);
  const bool manufacturing = sector == SmeSector::kManufacturing;
  out->gs1_barcode = manufacturing && Bernoulli(rng.Next(), t.gs1[size]);
  if (manufacturing) {
    const int64_t price = std::max<int64_t>(1, t.unit_price.Sample(rng.Next()));
    out->monthly_capacity_units = std::max<int64_t>(1, revenue / 12 / price);
  } else {
    out->monthly_capacity_units.reset();
  }
  if (t.shelf_life[industry]) {
    out->shelf_life_days = static_cast<int>(t.shelf_life[industry]->Sample(rng.Next()));
  } else {
    out->shelf_life_days.reset();
  }

  const Tables::Identifier& id_rule = t.identifiers[form];
  if (Bernoulli(rng.Next(), id_rule.share)) {
    const std::string& pattern = id_rule.patterns[id_rule.pattern.Sample(rng.Next())];
    if (!out->identifier) out->identifier.emplace();
    std::string& id = *out->identifier;
    id.resize(kPatternLength + 1);
    uint64_t r = rng.Next();
    int province_digit = 3;  // "TH-50": the digits are at 3 and 4
    int sum = 0;
    for (int i = 0; i < kPatternLength; ++i) {
      char c = pattern[i];
      if (c == 'D') {
        c = static_cast<char>('0' + r % 10);
        r /= 10;
      } else if (c == 'P') {
        c = code[province_digit++];
      }
      id[i] = c;
      sum += (c - '0') * (13 - i);
    }
    id[kPatternLength] = static_cast<char>('0' + (11 - sum % 11) % 10);
  } else {
    out->identifier.reset();
  }

  size_t count = 0;
  if (Bernoulli(rng.Next(), t.participation))
    count = Bernoulli(rng.Next(), t.second_participation) ? 2 : 1;
  out->participation.resize(count);
  for (size_t k = 0; k < count; ++k) {
    const Tables::Program& program = t.programs[t.program.Sample(rng.Next())];
    Participation& part = out->participation[k];
    part.program.assign(program.id);
    part.fiscal_year = t.fiscal_years[t.fiscal_year.Sample(rng.Next())];
    part.man_days_used =
        program.man_days ? static_cast<int>(program.man_days->Sample(rng.Next())) : 0;
    if (k == 1 && part.program == out->participation[0].program &&
        part.fiscal_year == out->participation[0].fiscal_year) {
      out->participation.resize(1);  // one entry per program and fiscal year
    }
  }

  // Name from a template of the legal form.
  out->name.clear();
  const auto& segments = Pick(t.templates[form], rng.Next());
  for (const NameSegment& seg : segments) {
    switch (seg.part) {
      case NamePart::kLiteral:
        out->name.append(seg.text);
        break;
      case NamePart::kProduct:
        out->name.append(Pick(t.products[industry], rng.Next()));
        break;
      case NamePart::kPlace:
        out->name.append(Pick(t.places, rng.Next()));
        break;
      case NamePart::kBrand:
        out->name.append(Pick(t.brands, rng.Next()));
        break;
    }
  }

  // Fields officers left empty.
  for (int i = 0; i < kProfileFieldCount; ++i) {
    if (t.missing[i] == 0 || !Bernoulli(rng.Next(), t.missing[i])) continue;
    switch (static_cast<ProfileField>(i)) {
      case ProfileField::kId:
      case ProfileField::kName:
        break;
      case ProfileField::kIdentifier:
        out->identifier.reset();
        break;
      case ProfileField::kLegalForm:
        out->legal_form.reset();
        break;
      case ProfileField::kSector:
        out->sector.reset();
        break;
      case ProfileField::kIndustry:
        out->industry.reset();
        break;
      case ProfileField::kProvince:
        out->province.reset();
        break;
      case ProfileField::kEmployees:
        out->employees.reset();
        break;
      case ProfileField::kAnnualRevenueThb:
        out->annual_revenue_thb.reset();
        break;
      case ProfileField::kYearsOperating:
        out->years_operating.reset();
        break;
      case ProfileField::kMembers:
        out->members.reset();
        break;
      case ProfileField::kCertifications:
        out->certifications = 0;
        break;
      case ProfileField::kOtopStars:
        out->otop_stars = 0;
        break;
      case ProfileField::kDigitalReadiness:
        out->digital_readiness.reset();
        break;
      case ProfileField::kNeeds:
        out->needs.reset();
        break;
      case ProfileField::kOwnFarmProduce:
        out->own_farm_produce.reset();
        break;
      case ProfileField::kVatRegistered:
        out->vat_registered.reset();
        break;
      case ProfileField::kGs1Barcode:
        out->gs1_barcode.reset();
        break;
      case ProfileField::kMonthlyCapacityUnits:
        out->monthly_capacity_units.reset();
        break;
      case ProfileField::kShelfLifeDays:
        out->shelf_life_days.reset();
        break;
      case ProfileField::kParticipation:
        out->participation.clear();
        break;
    }
  }
}

}  // namespace smematch
