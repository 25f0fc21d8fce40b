#include "smematch/registry.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "csv_reader.h"

// Both formats go through one validator: a CSV row is first turned into the JSON object it
// stands for (cells typed by the field they belong to; a cell that does not parse stays a
// string, so the validator reports it with the column name), then read like a JSON item.

namespace smematch {
namespace {

using nlohmann::json;

enum class Kind { kString, kInt, kBool, kList, kExpertise };

struct FieldSpec {
  std::string_view name;
  Kind kind;
  bool required;
};

constexpr FieldSpec kMentorFields[] = {
    {"id", Kind::kString, true},        {"name", Kind::kString, true},
    {"expertise", Kind::kExpertise, true}, {"industries", Kind::kList, true},
    {"home_province", Kind::kString, true}, {"serves", Kind::kList, false},
    {"languages", Kind::kList, false},  {"capacity", Kind::kInt, true},
    {"active", Kind::kBool, false},
};

constexpr FieldSpec kChannelFields[] = {
    {"id", Kind::kString, true},         {"chain", Kind::kString, true},
    {"program", Kind::kString, false},   {"industries", Kind::kList, true},
    {"requires", Kind::kList, false},    {"min_monthly_capacity_units", Kind::kInt, false},
    {"min_shelf_life_days", Kind::kInt, false}, {"serves", Kind::kList, true},
    {"slots", Kind::kInt, false},        {"active", Kind::kBool, false},
};

std::string Quote(std::string_view s) {
  if (s.size() > 60) return "\"" + std::string(s.substr(0, 57)) + "...\"";
  return "\"" + std::string(s) + "\"";
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Names a field for error messages: JSON pointer or CSV column.
struct Namer {
  bool csv = false;
  std::string operator()(std::string_view field) const {
    return csv ? std::string(field) : "/" + std::string(field);
  }
  std::string Sub(std::string_view field, std::string_view key) const {
    return csv ? std::string(field) + "_" + std::string(key)
               : "/" + std::string(field) + "/" + std::string(key);
  }
  std::string Item(std::string_view field, size_t i) const {
    return csv ? std::string(field) : "/" + std::string(field) + "/" + std::to_string(i);
  }
};

// Reads the common fields; `errors` collects every problem.
class RowReader {
 public:
  RowReader(const json& j, Namer namer, std::span<const FieldSpec> specs,
            std::vector<FieldError>* errors)
      : j_(j), name_(namer), errors_(errors) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      bool known = false;
      for (const FieldSpec& s : specs) known = known || s.name == it.key();
      if (!known) {
        std::string allowed;
        for (const FieldSpec& s : specs) allowed += (allowed.empty() ? "" : ", ") + std::string(s.name);
        Error(name_(it.key()), "unknown field; expected one of: " + allowed);
      }
    }
    for (const FieldSpec& s : specs) {
      if (s.required && (!j.contains(s.name) || j[s.name].is_null())) {
        Error(name_(s.name), "required field is missing");
      }
    }
  }

  void Error(std::string field, std::string message) {
    errors_->push_back({std::move(field), std::move(message)});
  }

  const json* Get(std::string_view field) const {
    auto it = j_.find(field);
    if (it == j_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  std::optional<std::string> String(std::string_view field, size_t max = kMaxStringBytes) {
    const json* v = Get(field);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) {
      Error(name_(field), "expected a string, got " + v->dump());
      return std::nullopt;
    }
    const std::string& s = v->get_ref<const std::string&>();
    if (s.empty()) {
      Error(name_(field), "must not be empty");
      return std::nullopt;
    }
    if (s.size() > max) {
      Error(name_(field), "longer than " + std::to_string(max) + " bytes");
      return std::nullopt;
    }
    return s;
  }

  std::optional<int64_t> Int(std::string_view field, int64_t lo, int64_t hi, const char* unit) {
    const json* v = Get(field);
    if (v == nullptr) return std::nullopt;
    return IntValue(*v, name_(field), lo, hi, unit);
  }

  std::optional<int64_t> IntValue(const json& v, const std::string& where, int64_t lo, int64_t hi,
                                  const char* unit) {
    int64_t x = 0;
    if (v.is_number_integer()) {
      x = v.get<int64_t>();
    } else if (v.is_number_float() && v.get<double>() == static_cast<double>(static_cast<int64_t>(v.get<double>()))) {
      x = static_cast<int64_t>(v.get<double>());
    } else {
      Error(where, std::string("expected a whole number of ") + unit + ", got " + Shown(v));
      return std::nullopt;
    }
    if (x < lo || x > hi) {
      Error(where, std::string("expected ") + unit + " from " + std::to_string(lo) + " to " +
                       std::to_string(hi) + ", got " + std::to_string(x));
      return std::nullopt;
    }
    return x;
  }

  std::optional<bool> Bool(std::string_view field) {
    const json* v = Get(field);
    if (v == nullptr) return std::nullopt;
    if (!v->is_boolean()) {
      Error(name_(field), "expected true or false, got " + Shown(*v));
      return std::nullopt;
    }
    return v->get<bool>();
  }

  // A list of non-empty strings (at most 200).
  std::optional<std::vector<std::string>> List(std::string_view field) {
    const json* v = Get(field);
    if (v == nullptr) return std::nullopt;
    if (!v->is_array()) {
      Error(name_(field), "expected a list of strings, got " + Shown(*v));
      return std::nullopt;
    }
    if (v->size() > 200) {
      Error(name_(field), "more than 200 entries");
      return std::nullopt;
    }
    std::vector<std::string> out;
    bool ok = true;
    for (size_t i = 0; i < v->size(); ++i) {
      const json& item = (*v)[i];
      if (!item.is_string() || item.get_ref<const std::string&>().empty() ||
          item.get_ref<const std::string&>().size() > 64) {
        Error(name_.Item(field, i), "expected a non-empty string of at most 64 bytes, got " + Shown(item));
        ok = false;
        continue;
      }
      out.push_back(item.get<std::string>());
    }
    if (!ok) return std::nullopt;
    return out;
  }

  // Industry ids or "all".
  void Industries(std::string_view field, uint32_t* bits, bool* all) {
    std::optional<std::vector<std::string>> list = List(field);
    if (!list) return;
    if (list->empty()) {
      Error(name_(field), "expected at least one industry id, or \"all\"");
      return;
    }
    for (size_t i = 0; i < list->size(); ++i) {
      const std::string& id = (*list)[i];
      if (id == "all") {
        *all = true;
        continue;
      }
      int k = EnumIndex(IndustryLabels(), id);
      if (k < 0) {
        Error(name_.Item(field, i), "unknown industry " + Quote(id) + "; expected \"all\" or one of: " +
                                        KnownIds(IndustryLabels()));
        continue;
      }
      *bits |= 1u << k;
    }
  }

  // Province codes, region ids or "all".
  void Serves(std::string_view field, const std::vector<std::string>& list,
              const ProvinceTable& provinces, ProvinceSet* out) {
    const std::vector<Province>& all = provinces.all();
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string& s = list[i];
      if (s == "all") {
        for (size_t k = 0; k < all.size(); ++k) out->Add(static_cast<int>(k));
        continue;
      }
      if (const Province* p = provinces.Find(s)) {
        out->Add(static_cast<int>(p - all.data()));
        continue;
      }
      if (EnumIndex(RegionLabels(), s) >= 0) {
        for (size_t k = 0; k < all.size(); ++k) {
          if (all[k].region == s) out->Add(static_cast<int>(k));
        }
        continue;
      }
      Error(name_.Item(field, i), "unknown province or region " + Quote(s) +
                                      "; expected an ISO 3166-2:TH code such as \"TH-50\", a region (" +
                                      KnownIds(RegionLabels()) + ") or \"all\"");
    }
  }

  static std::string Shown(const json& v) {
    if (v.is_string()) return Quote(v.get_ref<const std::string&>());
    std::string s = v.dump();
    return s.size() > 60 ? s.substr(0, 57) + "..." : s;
  }

  const Namer& namer() const { return name_; }

 private:
  const json& j_;
  Namer name_;
  std::vector<FieldError>* errors_;
};

int ProvinceIndex(const ProvinceTable& provinces, std::string_view code) {
  const Province* p = provinces.Find(code);
  return p == nullptr ? -1 : static_cast<int>(p - provinces.all().data());
}

void ReadMentor(const json& j, Namer namer, const ProvinceTable& provinces, Mentor* m,
                std::vector<FieldError>* errors) {
  RowReader r(j, namer, kMentorFields, errors);
  if (auto v = r.String("id", 64)) m->id = *v;
  if (auto v = r.String("name")) m->name = *v;
  if (const json* ex = r.Get("expertise")) {
    if (!ex->is_object()) {
      r.Error(namer("expertise"), "expected an object of levels 0–5 by dimension, got " + RowReader::Shown(*ex));
    } else {
      for (auto it = ex->begin(); it != ex->end(); ++it) {
        int d = EnumIndex(DimensionLabels(), it.key());
        if (d < 0) {
          r.Error(namer.Sub("expertise", it.key()),
                  "unknown dimension; expected one of: " + KnownIds(DimensionLabels()));
          continue;
        }
        if (auto level = r.IntValue(it.value(), namer.Sub("expertise", it.key()), 0, 5, "levels")) {
          m->expertise[d] = static_cast<int>(*level);
        }
      }
    }
  }
  r.Industries("industries", &m->industries, &m->all_industries);
  if (auto v = r.String("home_province", 16)) {
    if (ProvinceIndex(provinces, *v) < 0) {
      r.Error(namer("home_province"), "unknown province code " + Quote(*v) +
                                          "; expected ISO 3166-2:TH such as \"TH-50\"");
    } else {
      m->home_province = *v;
      m->served.Add(ProvinceIndex(provinces, *v));
    }
  }
  if (auto v = r.List("serves")) {
    m->serves = *v;
    r.Serves("serves", *v, provinces, &m->served);
  }
  if (auto v = r.List("languages")) {
    m->languages = *v;
  } else if (r.Get("languages") == nullptr) {
    m->languages = {"th"};
  }
  if (auto v = r.Int("capacity", 0, 1000, "enterprises")) m->capacity = static_cast<int>(*v);
  if (auto v = r.Bool("active")) m->active = *v;
}

void ReadChannel(const json& j, Namer namer, const ProvinceTable& provinces, Channel* c,
                 std::vector<FieldError>* errors) {
  RowReader r(j, namer, kChannelFields, errors);
  if (auto v = r.String("id", 64)) c->id = *v;
  if (auto v = r.String("chain")) c->chain = *v;
  if (auto v = r.String("program")) c->program = *v;
  r.Industries("industries", &c->industries, &c->all_industries);
  if (auto v = r.List("requires")) {
    for (size_t i = 0; i < v->size(); ++i) {
      const std::string& id = (*v)[i];
      int k = EnumIndex(CertificationLabels(), id);
      if (k >= 0) c->requires_mask |= 1u << k;
      else if (id == "gs1_barcode") c->requires_mask |= kRequiresGs1Barcode;
      else if (id == "vat_registered") c->requires_mask |= kRequiresVatRegistered;
      else {
        r.Error(namer.Item("requires", i),
                "unknown requirement " + Quote(id) + "; expected one of: " +
                    KnownIds(CertificationLabels()) + ", gs1_barcode, vat_registered");
      }
    }
  }
  if (auto v = r.Int("min_monthly_capacity_units", 0, 1'000'000'000'000, "units per month")) {
    c->min_monthly_capacity_units = *v;
  }
  if (auto v = r.Int("min_shelf_life_days", 0, 36'500, "days")) c->min_shelf_life_days = static_cast<int>(*v);
  if (auto v = r.List("serves")) {
    c->serves = *v;
    if (v->empty()) r.Error(namer("serves"), "expected at least one province, region or \"all\"");
    r.Serves("serves", *v, provinces, &c->served);
  }
  if (auto v = r.Int("slots", 0, 10'000'000, "suppliers")) c->slots = static_cast<int>(*v);
  if (auto v = r.Bool("active")) c->active = *v;
}

// A CSV cell typed by the field it belongs to. Empty cells are absent.
json CsvValue(Kind kind, std::string_view cell) {
  cell = Trim(cell);
  switch (kind) {
    case Kind::kString:
    case Kind::kExpertise: return json(std::string(cell));
    case Kind::kInt: {
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
      if (ec == std::errc() && ptr == cell.data() + cell.size()) return json(v);
      return json(std::string(cell));
    }
    case Kind::kBool: {
      std::string lower(cell);
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (lower == "true" || lower == "yes" || lower == "1") return json(true);
      if (lower == "false" || lower == "no" || lower == "0") return json(false);
      return json(std::string(cell));
    }
    case Kind::kList: {
      json list = json::array();
      size_t start = 0;
      for (size_t i = 0; i <= cell.size(); ++i) {
        if (i == cell.size() || cell[i] == ';' || cell[i] == '|') {
          std::string_view item = Trim(cell.substr(start, i - start));
          if (!item.empty()) list.push_back(std::string(item));
          start = i + 1;
        }
      }
      return list;
    }
  }
  return json();
}

template <typename T>
using ReadFn = void (*)(const json&, Namer, const ProvinceTable&, T*, std::vector<FieldError>*);

template <typename T>
void AddRow(Registry<T>* reg, std::map<std::string, size_t>* seen, size_t row, T item,
            std::vector<FieldError> errors, Namer namer) {
  if (errors.empty() && !item.id.empty()) {
    auto [it, inserted] = seen->try_emplace(item.id, row);
    if (!inserted) {
      errors.push_back({namer("id"), "duplicate id " + Quote(item.id) + " (first in row " +
                                         std::to_string(it->second) + ")"});
    }
  }
  if (!errors.empty()) {
    reg->bad_rows.push_back({row, item.id, std::move(errors)});
    return;
  }
  reg->items.push_back(std::move(item));
}

template <typename T>
Result<Registry<T>> ReadJsonRegistry(std::string_view text, RegistryFormat format,
                                     const ProvinceTable& provinces, ReadFn<T> read) {
  Registry<T> reg;
  std::map<std::string, size_t> seen;
  const Namer namer{false};
  auto one = [&](size_t row, const json& j) {
    T item;
    std::vector<FieldError> errors;
    if (!j.is_object()) {
      errors.push_back({"", "expected a JSON object, got " + RowReader::Shown(j)});
    } else {
      read(j, namer, provinces, &item, &errors);
    }
    AddRow(&reg, &seen, row, std::move(item), std::move(errors), namer);
  };
  size_t first = text.find_first_not_of(" \t\r\n");
  if (format == RegistryFormat::kJson && first != std::string_view::npos && text[first] == '[') {
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded()) return InvalidArgumentError("malformed JSON document (expected an array of objects)");
    for (size_t i = 0; i < doc.size(); ++i) one(i + 1, doc[i]);
    return reg;
  }
  size_t row = 0, pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = Trim(text.substr(pos, nl - pos));
    pos = nl + 1;
    ++row;
    if (line.empty()) continue;
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded()) {
      reg.bad_rows.push_back({row, "", {{"", "malformed JSON line"}}});
      continue;
    }
    one(row, j);
  }
  return reg;
}

template <typename T>
Result<Registry<T>> ReadCsvRegistry(std::string_view text, const ProvinceTable& provinces,
                                    std::span<const FieldSpec> specs, ReadFn<T> read) {
  CsvReader csv;
  std::vector<std::vector<std::string>> rows;
  SMEMATCH_RETURN_IF_ERROR(csv.ReadAll(text, &rows));
  if (rows.empty()) return InvalidArgumentError("CSV: no header row");
  const std::vector<std::string>& header = rows[0];
  // Column -> (field, expertise dimension or -1).
  std::vector<std::pair<const FieldSpec*, int>> columns;
  std::string bad;
  std::set<std::string> names;
  for (const std::string& raw : header) {
    std::string col(Trim(raw));
    const FieldSpec* spec = nullptr;
    int dim = -1;
    for (const FieldSpec& s : specs) {
      if (s.kind == Kind::kExpertise && col.starts_with(std::string(s.name) + "_")) {
        dim = EnumIndex(DimensionLabels(), std::string_view(col).substr(s.name.size() + 1));
        if (dim >= 0) spec = &s;
      } else if (s.name == col && s.kind != Kind::kExpertise) {
        spec = &s;
      }
    }
    if (spec == nullptr) bad += (bad.empty() ? "" : ", ") + Quote(col) + " (unknown column)";
    else if (!names.insert(col).second) bad += (bad.empty() ? "" : ", ") + Quote(col) + " (duplicate)";
    columns.push_back({spec, dim});
  }
  if (!names.count("id")) bad += std::string(bad.empty() ? "" : ", ") + "\"id\" (missing)";
  if (!bad.empty()) return InvalidArgumentError("CSV header: " + bad);
  Registry<T> reg;
  std::map<std::string, size_t> seen;
  const Namer namer{true};
  for (size_t r = 1; r < rows.size(); ++r) {
    const std::vector<std::string>& cells = rows[r];
    if (cells.size() == 1 && Trim(cells[0]).empty()) continue;  // blank line
    T item;
    std::vector<FieldError> errors;
    if (cells.size() != header.size()) {
      errors.push_back({"", "expected " + std::to_string(header.size()) + " cells, got " +
                                std::to_string(cells.size())});
    } else {
      json j = json::object();
      for (size_t c = 0; c < cells.size(); ++c) {
        if (Trim(cells[c]).empty()) continue;
        const auto [spec, dim] = columns[c];
        if (spec->kind == Kind::kExpertise) {
          json v = CsvValue(Kind::kInt, cells[c]);
          j[std::string(spec->name)][std::string(DimensionLabels()[dim].id)] = v;
        } else {
          j[std::string(spec->name)] = CsvValue(spec->kind, cells[c]);
        }
      }
      read(j, namer, provinces, &item, &errors);
    }
    AddRow(&reg, &seen, r, std::move(item), std::move(errors), namer);
  }
  return reg;
}

std::string_view SkipBom(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return text;
}

Result<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read registry file '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (ss.str().size() > (256u << 20)) return ResourceExhaustedError(path + ": larger than 256 MiB");
  return ss.str();
}

RegistryFormat FormatOf(const std::string& path) {
  if (path.ends_with(".csv")) return RegistryFormat::kCsv;
  if (path.ends_with(".jsonl")) return RegistryFormat::kJsonLines;
  return RegistryFormat::kJson;
}

}  // namespace

int ProvinceSet::Count() const {
  return __builtin_popcountll(bits[0]) + __builtin_popcountll(bits[1]);
}

Result<MentorRegistry> ReadMentors(std::string_view text, RegistryFormat format,
                                   const ProvinceTable& provinces) {
  text = SkipBom(text);
  if (format == RegistryFormat::kCsv) {
    return ReadCsvRegistry<Mentor>(text, provinces, kMentorFields, ReadMentor);
  }
  return ReadJsonRegistry<Mentor>(text, format, provinces, ReadMentor);
}

Result<ChannelRegistry> ReadChannels(std::string_view text, RegistryFormat format,
                                     const ProvinceTable& provinces) {
  text = SkipBom(text);
  if (format == RegistryFormat::kCsv) {
    return ReadCsvRegistry<Channel>(text, provinces, kChannelFields, ReadChannel);
  }
  return ReadJsonRegistry<Channel>(text, format, provinces, ReadChannel);
}

Result<MentorRegistry> ReadMentorsFile(const std::string& path, const ProvinceTable& provinces) {
  Result<std::string> text = ReadWhole(path);
  if (!text.ok()) return text.status();
  Result<MentorRegistry> r = ReadMentors(*text, FormatOf(path), provinces);
  if (!r.ok()) return r.status().WithPrefix(path);
  return r;
}

Result<ChannelRegistry> ReadChannelsFile(const std::string& path, const ProvinceTable& provinces) {
  Result<std::string> text = ReadWhole(path);
  if (!text.ok()) return text.status();
  Result<ChannelRegistry> r = ReadChannels(*text, FormatOf(path), provinces);
  if (!r.ok()) return r.status().WithPrefix(path);
  return r;
}

Result<std::vector<EnterpriseProfile>> ReadProfiles(std::string_view text, RegistryFormat format,
                                                    const ProvinceTable& provinces,
                                                    std::vector<RegistryRowError>* bad) {
  text = SkipBom(text);
  std::vector<EnterpriseProfile> out;
  ProfileReader reader(&provinces);
  std::vector<FieldError> errors;
  auto keep = [&](size_t row, Status s, EnterpriseProfile&& p) {
    if (s.ok()) {
      out.push_back(std::move(p));
    } else {
      bad->push_back({row, p.id, errors});
      if (bad->back().errors.empty()) bad->back().errors.push_back({"", s.message()});
    }
  };
  if (format == RegistryFormat::kCsv) {
    CsvReader csv;
    std::vector<std::string> header;
    size_t row = 0;
    Status header_status;
    CsvReader::RowFn on_row = [&](std::vector<std::string>&& cells) {
      if (!header_status.ok()) return;
      if (row++ == 0) {
        header = std::move(cells);
        header_status = CheckCsvHeader(header);
        return;
      }
      if (cells.size() == 1 && cells[0].empty()) return;
      EnterpriseProfile p;
      if (cells.size() != header.size()) {
        bad->push_back({row - 1, "", {{"", "expected " + std::to_string(header.size()) +
                                               " cells, got " + std::to_string(cells.size())}}});
        return;
      }
      Status s = reader.ParseCsv(header, cells, &p, &errors);
      keep(row - 1, s, std::move(p));
    };
    SMEMATCH_RETURN_IF_ERROR(csv.Feed(text, on_row));
    SMEMATCH_RETURN_IF_ERROR(csv.Finish(on_row));
    if (!header_status.ok()) return header_status.WithPrefix("CSV header");
    if (row == 0) return InvalidArgumentError("CSV: no header row");
    return out;
  }
  size_t first = text.find_first_not_of(" \t\r\n");
  if (format == RegistryFormat::kJson && first != std::string_view::npos &&
      (text[first] == '[' || text[first] == '{')) {
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded()) return InvalidArgumentError("malformed JSON document");
    if (doc.is_object()) doc = json::array({std::move(doc)});
    for (size_t i = 0; i < doc.size(); ++i) {
      EnterpriseProfile p;
      Status s = reader.ParseJson(doc[i].dump(), &p, &errors);
      keep(i + 1, s, std::move(p));
    }
    return out;
  }
  size_t row = 0, pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = Trim(text.substr(pos, nl - pos));
    pos = nl + 1;
    ++row;
    if (line.empty()) continue;
    EnterpriseProfile p;
    Status s = reader.ParseJson(line, &p, &errors);
    keep(row, s, std::move(p));
  }
  return out;
}

std::vector<std::string_view> RequirementIds(uint32_t mask) {
  std::vector<std::string_view> out;
  for (int i = 0; i < kCertificationCount; ++i) {
    if (mask & (1u << i)) out.push_back(CertificationLabels()[i].id);
  }
  if (mask & kRequiresGs1Barcode) out.push_back("gs1_barcode");
  if (mask & kRequiresVatRegistered) out.push_back("vat_registered");
  return out;
}

}  // namespace smematch
