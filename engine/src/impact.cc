#include "smematch/impact.h"

#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <istream>
#include <map>
#include <mutex>
#include <thread>

#include "csv_reader.h"
#include "line_blocks.h"
#include "ordered_pipeline.h"
#include "smematch/json_text.h"
#include "smematch/profile_io.h"
#include "smematch/sme_size.h"

namespace smematch {
namespace {

constexpr size_t kBlockBytes = 1 << 20;
constexpr size_t kCsvRecordsPerChunk = 4096;
constexpr int kNoIndex = -1;

// ---------------------------------------------------------------------------------------------
// Setup: which program versions are compared, and how their criteria line up.

const RuleSet::File* FindFile(const RuleSet& rules, std::string_view suffix_or_path, bool suffix) {
  for (const RuleSet::File& f : rules.files()) {
    if (suffix ? f.path.ends_with(suffix_or_path) : f.path == suffix_or_path) return &f;
  }
  return nullptr;
}

// The path without the rule directory's own name ("rules/programs/bsc.lua" → "programs/bsc.lua"):
// two copies of one rule set in differently named folders hold the same scripts.
std::string_view Relative(std::string_view path) {
  size_t slash = path.find('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool SameFile(const RuleSet::File* a, const RuleSet::File* b) {
  if (a == nullptr || b == nullptr) return a == b;
  return Relative(a->path) == Relative(b->path) && a->text == b->text;
}

struct ProgramPlan {
  ImpactProgram info;
  const ProgramInfo* before = nullptr;
  const ProgramInfo* after = nullptr;
  int before_index = kNoIndex;  // position in the before Screener's decisions
  int after_index = kNoIndex;   // position in the after Screener's decisions (changed only)
  // Criteria by id: index in before and in after (kNoIndex when the version lacks it).
  std::vector<std::pair<int, int>> criteria;
};

struct Plan {
  std::vector<ProgramPlan> programs;
  ScreenOptions before_options;
  ScreenOptions after_options;
  // Dimension keys.
  const ProvinceTable* provinces = nullptr;
  std::vector<int> region_of_province;  // index into RegionLabels(), or the unknown key
  SizeTieBreak tie_break = SizeTieBreak::kRevenuePrevails;
  size_t province_keys = 0, region_keys = 0, size_keys = 0, form_keys = 0;
};

Result<Plan> MakePlan(const RuleSet& before, const RuleSet& after, const ImpactOptions& options) {
  Plan plan;
  std::vector<std::string> ids = options.programs;
  if (ids.empty()) {
    ids = before.program_ids();
    for (const std::string& id : after.program_ids()) {
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end());
  }
  const bool same_context =
      SameFile(FindFile(before, "/settings.lua", true), FindFile(after, "/settings.lua", true)) &&
      SameFile(FindFile(before, "/data/provinces.csv", true),
               FindFile(after, "/data/provinces.csv", true));
  plan.before_options.as_of = plan.after_options.as_of = options.as_of;
  plan.before_options.explain = plan.after_options.explain = false;
  for (const std::string& id : ids) {
    Result<const ProgramInfo*> b = before.Find(id, options.as_of);
    Result<const ProgramInfo*> a = after.Find(id, options.as_of);
    if (!b.ok() && !a.ok()) {
      if (b.status().code() == StatusCode::kNotFound &&
          a.status().code() == StatusCode::kNotFound) {
        return NotFoundError("unknown program '" + id + "' in both rule sets");
      }
      return FailedPreconditionError("no version of program " + id + " is effective on " +
                                     options.as_of.ToString() + " in either rule set");
    }
    ProgramPlan p;
    p.info.id = id;
    if (b.ok()) {
      p.before = *b;
      p.info.version_before = p.before->version;
      p.info.script_before = p.before->script;
      p.before_index = static_cast<int>(plan.before_options.programs.size());
      plan.before_options.programs.push_back(id);
    }
    if (a.ok()) {
      p.after = *a;
      p.info.version_after = p.after->version;
      p.info.script_after = p.after->script;
    }
    p.info.rules_changed = !(p.before && p.after && same_context &&
                             SameFile(FindFile(before, p.before->script, false),
                                      FindFile(after, p.after->script, false)));
    if (p.after && p.info.rules_changed) {
      p.after_index = static_cast<int>(plan.after_options.programs.size());
      plan.after_options.programs.push_back(id);
    }
    if (p.after) {
      for (size_t k = 0; k < p.after->criteria.size(); ++k) {
        int kb = kNoIndex;
        if (p.before) {
          for (size_t i = 0; i < p.before->criteria.size(); ++i) {
            if (p.before->criteria[i].id == p.after->criteria[k].id) kb = static_cast<int>(i);
          }
        }
        p.criteria.emplace_back(kb, static_cast<int>(k));
      }
    }
    if (p.before) {
      for (size_t i = 0; i < p.before->criteria.size(); ++i) {
        bool in_after = std::any_of(p.criteria.begin(), p.criteria.end(),
                                    [&](const auto& c) { return c.first == static_cast<int>(i); });
        if (!in_after) p.criteria.emplace_back(static_cast<int>(i), kNoIndex);
      }
    }
    plan.programs.push_back(std::move(p));
  }
  plan.provinces = &before.provinces();
  plan.tie_break = before.size_tie_break();
  std::span<const EnumLabel> regions = RegionLabels();
  plan.region_keys = regions.size() + 1;
  for (const Province& pr : plan.provinces->all()) {
    int r = EnumIndex(regions, pr.region);
    plan.region_of_province.push_back(r < 0 ? static_cast<int>(regions.size()) : r);
  }
  plan.province_keys = plan.provinces->all().size() + 1;
  plan.size_keys = SmeSizeLabels().size() + 1;
  plan.form_keys = LegalFormLabels().size() + 1;
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Totals, kept per worker and added up at the end.

struct Totals {
  std::vector<ImpactCounts> program, province, region, size, form;  // [key * programs + j]

  explicit Totals(const Plan& plan) {
    size_t n = plan.programs.size();
    program.resize(n);
    province.resize(plan.province_keys * n);
    region.resize(plan.region_keys * n);
    size.resize(plan.size_keys * n);
    form.resize(plan.form_keys * n);
  }
  void Add(const Totals& o) {
    auto add = [](std::vector<ImpactCounts>& a, const std::vector<ImpactCounts>& b) {
      for (size_t i = 0; i < a.size(); ++i) {
        a[i].screened += b[i].screened;
        a[i].eligible_before += b[i].eligible_before;
        a[i].eligible_after += b[i].eligible_after;
        a[i].changed += b[i].changed;
        a[i].gained += b[i].gained;
        a[i].lost += b[i].lost;
      }
    };
    add(program, o.program);
    add(province, o.province);
    add(region, o.region);
    add(size, o.size);
    add(form, o.form);
  }
};

inline void Count(ImpactCounts& c, bool eligible_before, bool eligible_after, bool changed) {
  ++c.screened;
  c.eligible_before += eligible_before;
  c.eligible_after += eligible_after;
  c.changed += changed;
  c.gained += !eligible_before && eligible_after;
  c.lost += eligible_before && !eligible_after;
}

// ---------------------------------------------------------------------------------------------
// The pipeline: chunks in, changes out in input order.

struct RecordError {
  size_t row;
  std::string id;
  Status status;
};

struct Chunk {
  uint64_t seq = 0;
  size_t first_row = 0;
  LineBlock lines;                             // JSON Lines
  std::vector<std::vector<std::string>> rows;  // CSV records
  std::vector<ImpactChange> changes;
  std::vector<RecordError> errors;
  uint64_t records = 0, screened = 0;
};

using Pipeline = OrderedPipeline<Chunk>;

CriterionState StateOf(const Decision* d, int k) {
  if (d == nullptr || k == kNoIndex) return CriterionState::kAbsent;
  if (d->outcome == Outcome::kError) return CriterionState::kError;
  if ((d->failed >> k) & 1u) return CriterionState::kFail;
  if ((d->undecided >> k) & 1u) return CriterionState::kNeedsInformation;
  return CriterionState::kPass;
}

void FillSide(const ProgramInfo* program, const Decision* d, ImpactSide* side) {
  side->offered = d != nullptr;
  if (d == nullptr) return;
  side->outcome = d->outcome;
  side->version = program->version;
  for (size_t k = 0; k < program->criteria.size(); ++k) {
    if ((d->failed >> k) & 1u) side->failed.push_back(program->criteria[k].id);
  }
  for (std::string_view f : FieldNames(d->missing_fields)) side->missing.emplace_back(f);
  side->score = d->score;
  if (d->outcome == Outcome::kError) side->error = d->error.message();
}

class Worker {
 public:
  Worker(const Plan& plan, std::unique_ptr<Screener> before, std::unique_ptr<Screener> after,
         const std::vector<std::string>& csv_header, InputFormat input)
      : plan_(plan),
        before_(std::move(before)),
        after_(std::move(after)),
        reader_(plan.provinces),
        csv_header_(csv_header),
        input_(input),
        totals_(plan) {}

  const Totals& totals() const { return totals_; }

  void Process(Chunk& c) {
    if (input_ == InputFormat::kCsv) {
      for (size_t i = 0; i < c.rows.size(); ++i) {
        const auto& cells = c.rows[i];
        if (cells.size() == 1 && cells[0].empty()) continue;
        Status s = reader_.ParseCsv(csv_header_, cells, &profile_, &field_errors_);
        Screen(c, c.first_row + i, s);
      }
      return;
    }
    ForEachLine(
        c.lines,
        [&](size_t row, std::string_view line) {
          Screen(c, row, reader_.ParseJsonPadded(line, &profile_, &field_errors_));
        },
        [&](size_t row) {
          ++c.records;
          c.errors.push_back({row, "", InvalidArgumentError(std::string(kLineTooLong))});
        });
  }

 private:
  void Screen(Chunk& c, size_t row, const Status& parsed) {
    ++c.records;
    if (!parsed.ok()) {
      c.errors.push_back({row, profile_.id, parsed});
      return;
    }
    if (!plan_.before_options.programs.empty()) {
      Status s = before_->Screen(profile_, plan_.before_options, &before_decisions_);
      if (!s.ok()) {
        c.errors.push_back({row, profile_.id, s});
        return;
      }
    }
    if (!plan_.after_options.programs.empty()) {
      Status s = after_->Screen(profile_, plan_.after_options, &after_decisions_);
      if (!s.ok()) {
        c.errors.push_back({row, profile_.id, s});
        return;
      }
    }
    ++c.screened;
    // Dimension keys.
    size_t province = plan_.province_keys - 1;
    if (profile_.province) {
      if (const Province* p = plan_.provinces->Find(*profile_.province)) {
        province = static_cast<size_t>(p - plan_.provinces->all().data());
      }
    }
    size_t region = province < plan_.region_of_province.size()
                        ? static_cast<size_t>(plan_.region_of_province[province])
                        : plan_.region_keys - 1;
    size_t size = plan_.size_keys - 1;
    if (profile_.sector) {
      std::optional<SmeSize> s = ClassifySmeSize(*profile_.sector, profile_.employees,
                                                 profile_.annual_revenue_thb, plan_.tie_break);
      if (s) size = static_cast<size_t>(*s);
    }
    size_t form =
        profile_.legal_form ? static_cast<size_t>(*profile_.legal_form) : plan_.form_keys - 1;

    const size_t n = plan_.programs.size();
    for (size_t j = 0; j < n; ++j) {
      const ProgramPlan& p = plan_.programs[j];
      const Decision* b = p.before_index == kNoIndex
                              ? nullptr
                              : &before_decisions_[static_cast<size_t>(p.before_index)];
      const Decision* a = nullptr;
      if (p.after != nullptr) {
        a = p.info.rules_changed ? &after_decisions_[static_cast<size_t>(p.after_index)] : b;
      }
      bool eb = b != nullptr && b->outcome == Outcome::kEligible;
      bool ea = a != nullptr && a->outcome == Outcome::kEligible;
      bool changed = (b == nullptr) != (a == nullptr) || (b != nullptr && b->outcome != a->outcome);
      Count(totals_.program[j], eb, ea, changed);
      Count(totals_.province[province * n + j], eb, ea, changed);
      Count(totals_.region[region * n + j], eb, ea, changed);
      Count(totals_.size[size * n + j], eb, ea, changed);
      Count(totals_.form[form * n + j], eb, ea, changed);
      if (changed) c.changes.push_back(MakeChange(row, p, b, a, province, region, size, form));
    }
  }

  ImpactChange MakeChange(size_t row, const ProgramPlan& p, const Decision* b, const Decision* a,
                          size_t province, size_t region, size_t size, size_t form) const {
    ImpactChange ch;
    ch.row = row;
    ch.id = profile_.id;
    ch.program = p.info.id;
    ch.province = province < plan_.provinces->all().size()
                      ? plan_.provinces->all()[province].iso_code
                      : std::string("unknown");
    ch.region = region < RegionLabels().size() ? std::string(RegionLabels()[region].id) : "unknown";
    ch.sme_size = size < SmeSizeLabels().size() ? std::string(SmeSizeLabels()[size].id) : "unknown";
    ch.legal_form =
        form < LegalFormLabels().size() ? std::string(LegalFormLabels()[form].id) : "unknown";
    FillSide(p.before, b, &ch.before);
    FillSide(p.after, a, &ch.after);
    for (const auto& [kb, ka] : p.criteria) {
      CriterionState sb = b == nullptr ? CriterionState::kAbsent : StateOf(b, kb);
      CriterionState sa = a == nullptr ? CriterionState::kAbsent : StateOf(a, ka);
      if (sb == sa) continue;
      const std::string& id = ka != kNoIndex ? p.after->criteria[static_cast<size_t>(ka)].id
                                             : p.before->criteria[static_cast<size_t>(kb)].id;
      ch.criteria.push_back({id, sb, sa});
    }
    return ch;
  }

  const Plan& plan_;
  std::unique_ptr<Screener> before_;
  std::unique_ptr<Screener> after_;
  ProfileReader reader_;
  const std::vector<std::string>& csv_header_;
  InputFormat input_;
  Totals totals_;
  EnterpriseProfile profile_;
  std::vector<FieldError> field_errors_;
  std::vector<Decision> before_decisions_, after_decisions_;
};

std::vector<ImpactTotalsRow> TotalsRows(const Plan& plan, const Totals& t) {
  std::vector<ImpactTotalsRow> rows;
  const size_t n = plan.programs.size();
  // Keys sorted by name (`by_name`) or in their natural order (SME sizes), "unknown" last.
  auto emit = [&](const char* dimension, const std::vector<ImpactCounts>& counts, size_t keys,
                  bool by_name,
                  const std::function<std::pair<std::string, LocalizedText>(size_t)>& key_of) {
    std::vector<std::pair<std::pair<std::string, LocalizedText>, size_t>> sorted;
    for (size_t k = 0; k < keys; ++k) sorted.push_back({key_of(k), k});
    std::stable_sort(sorted.begin(), sorted.end(), [&](const auto& a, const auto& b) {
      bool ua = a.first.first == "unknown", ub = b.first.first == "unknown";
      if (ua != ub) return ub;
      return by_name && a.first.first < b.first.first;
    });
    for (const auto& [key, k] : sorted) {
      for (size_t j = 0; j < n; ++j) {
        const ImpactCounts& c = counts[k * n + j];
        if (c.screened == 0) continue;
        rows.push_back({dimension, key.first, key.second, plan.programs[j].info.id, c});
      }
    }
  };
  for (size_t j = 0; j < n; ++j) {
    rows.push_back(
        {"program", plan.programs[j].info.id, {}, plan.programs[j].info.id, t.program[j]});
  }
  std::span<const EnumLabel> regions = RegionLabels();
  emit("region", t.region, plan.region_keys, true,
       [&](size_t k) -> std::pair<std::string, LocalizedText> {
         if (k >= regions.size()) return {"unknown", {}};
         return {std::string(regions[k].id),
                 {std::string(regions[k].th), std::string(regions[k].en)}};
       });
  const auto& provinces = plan.provinces->all();
  emit("province", t.province, plan.province_keys, true,
       [&](size_t k) -> std::pair<std::string, LocalizedText> {
         if (k >= provinces.size()) return {"unknown", {}};
         return {provinces[k].iso_code, {provinces[k].name_th, provinces[k].name_en}};
       });
  std::span<const EnumLabel> sizes = SmeSizeLabels();
  emit("sme_size", t.size, plan.size_keys, false,
       [&](size_t k) -> std::pair<std::string, LocalizedText> {
         if (k >= sizes.size()) return {"unknown", {}};
         return {std::string(sizes[k].id), {std::string(sizes[k].th), std::string(sizes[k].en)}};
       });
  std::span<const EnumLabel> forms = LegalFormLabels();
  emit("legal_form", t.form, plan.form_keys, true,
       [&](size_t k) -> std::pair<std::string, LocalizedText> {
         if (k >= forms.size()) return {"unknown", {}};
         return {std::string(forms[k].id), {std::string(forms[k].th), std::string(forms[k].en)}};
       });
  return rows;
}

}  // namespace

std::string_view CriterionStateName(CriterionState state) {
  switch (state) {
    case CriterionState::kAbsent:
      return "absent";
    case CriterionState::kPass:
      return "pass";
    case CriterionState::kFail:
      return "fail";
    case CriterionState::kNeedsInformation:
      return "needs_information";
    case CriterionState::kError:
      return "error";
  }
  return "error";
}

bool ImpactChange::gained() const {
  bool before_eligible = before.offered && before.outcome == Outcome::kEligible;
  bool after_eligible = after.offered && after.outcome == Outcome::kEligible;
  return !before_eligible && after_eligible;
}

bool ImpactChange::lost() const {
  bool before_eligible = before.offered && before.outcome == Outcome::kEligible;
  bool after_eligible = after.offered && after.outcome == Outcome::kEligible;
  return before_eligible && !after_eligible;
}

Result<ImpactReport> RunImpact(std::istream& in, std::shared_ptr<const RuleSet> before,
                               std::shared_ptr<const RuleSet> after, const ImpactOptions& options) {
  auto started = std::chrono::steady_clock::now();
  if (options.input != InputFormat::kJsonLines && options.input != InputFormat::kCsv) {
    return InvalidArgumentError("impact reads JSON Lines or CSV");
  }
  Result<Plan> planned = MakePlan(*before, *after, options);
  if (!planned.ok()) return planned.status();
  const Plan& plan = *planned;
  const int threads = std::max(1, options.threads);

  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::string> csv_header;
  std::vector<std::unique_ptr<Screener>> before_screeners, after_screeners;
  for (int i = 0; i < threads; ++i) {
    Result<std::unique_ptr<Screener>> b = Screener::Create(before);
    if (!b.ok()) return b.status();
    Result<std::unique_ptr<Screener>> a = Screener::Create(after);
    if (!a.ok()) return a.status();
    before_screeners.push_back(std::move(*b));
    after_screeners.push_back(std::move(*a));
  }

  std::vector<char> block(kBlockBytes);
  CsvReader csv;
  std::vector<std::vector<std::string>> csv_pending;
  if (options.input == InputFormat::kCsv) {
    CsvReader::RowFn collect = [&](std::vector<std::string>&& cells) {
      if (csv_header.empty() && csv.records() == 1)
        csv_header = std::move(cells);
      else
        csv_pending.push_back(std::move(cells));
    };
    while (csv_header.empty() && in) {
      in.read(block.data(), static_cast<std::streamsize>(block.size()));
      SMEMATCH_RETURN_IF_ERROR(
          csv.Feed(std::string_view(block.data(), static_cast<size_t>(in.gcount())), collect));
    }
    if (csv_header.empty()) SMEMATCH_RETURN_IF_ERROR(csv.Finish(collect));
    if (csv_header.empty())
      return InvalidArgumentError("CSV input is empty: expected a header row");
    SMEMATCH_RETURN_IF_ERROR(CheckCsvHeader(csv_header));
  }
  for (int i = 0; i < threads; ++i) {
    workers.push_back(std::make_unique<Worker>(
        plan, std::move(before_screeners[static_cast<size_t>(i)]),
        std::move(after_screeners[static_cast<size_t>(i)]), csv_header, options.input));
  }

  Pipeline pipeline(static_cast<size_t>(2 * threads + 2));
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&, i] {
      while (auto chunk = pipeline.Take()) {
        workers[static_cast<size_t>(i)]->Process(*chunk);
        pipeline.Complete(std::move(chunk));
      }
    });
  }

  ImpactReport report;
  report.rule_set_before = before->hash();
  report.rule_set_after = after->hash();
  report.as_of = options.as_of;
  for (const ProgramPlan& p : plan.programs) report.programs.push_back(p.info);

  std::thread writer([&] {
    auto last_progress = std::chrono::steady_clock::now();
    for (uint64_t seq = 0;; ++seq) {
      std::unique_ptr<Chunk> c = pipeline.Next(seq);
      if (!c) break;
      report.records += c->records;
      report.screened += c->screened;
      report.bad_records += c->errors.size();
      // Changes and record errors in row order.
      size_t e = 0;
      for (const ImpactChange& ch : c->changes) {
        while (e < c->errors.size() && c->errors[e].row < ch.row) {
          if (options.on_record_error)
            options.on_record_error(c->errors[e].row, c->errors[e].id, c->errors[e].status);
          ++e;
        }
        ++report.changes;
        report.gained += ch.gained();
        report.lost += ch.lost();
        if (options.on_change) options.on_change(ch);
      }
      for (; e < c->errors.size(); ++e) {
        if (options.on_record_error)
          options.on_record_error(c->errors[e].row, c->errors[e].id, c->errors[e].status);
      }
      auto now = std::chrono::steady_clock::now();
      if (options.on_progress && std::chrono::duration<double>(now - last_progress).count() >=
                                     options.progress_interval_s) {
        last_progress = now;
        options.on_progress(report.records, std::chrono::duration<double>(now - started).count());
      }
    }
  });

  uint64_t seq = 0;
  Status read_status;
  auto submit = [&](std::unique_ptr<Chunk> c) {
    c->seq = seq++;
    pipeline.Submit(std::move(c));
  };
  if (options.input == InputFormat::kJsonLines) {
    LineBlockReader lines(in);
    while (true) {
      auto c = std::make_unique<Chunk>();
      if (!lines.Next(&c->lines)) break;
      submit(std::move(c));
    }
  } else {
    auto c = std::make_unique<Chunk>();
    c->first_row = 2;
    size_t next_row = 2;
    auto flush = [&] {
      next_row += c->rows.size();
      submit(std::move(c));
      c = std::make_unique<Chunk>();
      c->first_row = next_row;
    };
    CsvReader::RowFn add = [&](std::vector<std::string>&& cells) {
      c->rows.push_back(std::move(cells));
      if (c->rows.size() >= kCsvRecordsPerChunk) flush();
    };
    for (auto& cells : csv_pending) add(std::move(cells));
    csv_pending.clear();
    while (in && read_status.ok()) {
      in.read(block.data(), static_cast<std::streamsize>(block.size()));
      read_status = csv.Feed(std::string_view(block.data(), static_cast<size_t>(in.gcount())), add);
    }
    if (read_status.ok()) read_status = csv.Finish(add);
    if (!c->rows.empty()) flush();
  }
  pipeline.Close(seq);
  for (std::thread& t : pool) t.join();
  writer.join();
  SMEMATCH_RETURN_IF_ERROR(read_status);

  Totals totals(plan);
  for (const auto& w : workers) totals.Add(w->totals());
  report.totals = TotalsRows(plan, totals);
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

// ---------------------------------------------------------------------------------------------
// Output

namespace {

std::string_view SideOutcome(const ImpactSide& s) {
  return s.offered ? OutcomeName(s.outcome) : std::string_view("not_offered");
}

std::string_view ChangeKind(const ImpactChange& c) {
  if (c.gained()) return "gained";
  if (c.lost()) return "lost";
  return "changed";
}

std::string CriteriaText(const ImpactChange& c) {
  std::string s;
  for (const CriterionChange& cc : c.criteria) {
    if (!s.empty()) s += "; ";
    s += cc.id + ": " + std::string(CriterionStateName(cc.before)) + " -> " +
         std::string(CriterionStateName(cc.after));
  }
  if (s.empty() && !c.after.error.empty())
    s = "error: " + c.after.error;
  else if (s.empty() && !c.before.error.empty())
    s = "error before: " + c.before.error;
  return s;
}

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string s;
  for (const std::string& i : items) {
    if (!s.empty()) s += sep;
    s += i;
  }
  return s;
}

std::string Score(const std::optional<double>& score) {
  if (!score) return "";
  std::string s;
  AppendNumber(*score, &s);
  return s;
}

void AppendCsvRow(const std::vector<std::string>& cells, std::string* out) {
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendCsvCell(cells[i], out);
  }
  out->append("\r\n");
}

void AppendSideJson(const ImpactSide& s, std::string* out) {
  out->append("{\"outcome\":");
  AppendJsonString(SideOutcome(s), out);
  if (s.offered) {
    out->append(",\"version\":");
    AppendJsonString(s.version, out);
    out->append(",\"failed\":[");
    for (size_t i = 0; i < s.failed.size(); ++i) {
      if (i > 0) out->push_back(',');
      AppendJsonString(s.failed[i], out);
    }
    out->append("],\"missing\":[");
    for (size_t i = 0; i < s.missing.size(); ++i) {
      if (i > 0) out->push_back(',');
      AppendJsonString(s.missing[i], out);
    }
    out->push_back(']');
    if (s.score) {
      out->append(",\"score\":");
      AppendNumber(*s.score, out);
    }
    if (!s.error.empty()) {
      out->append(",\"error\":");
      AppendJsonString(s.error, out);
    }
  }
  out->push_back('}');
}

void AppendCountsJson(const ImpactCounts& c, std::string* out) {
  out->append("\"screened\":");
  AppendInt(static_cast<int64_t>(c.screened), out);
  out->append(",\"eligible_before\":");
  AppendInt(static_cast<int64_t>(c.eligible_before), out);
  out->append(",\"eligible_after\":");
  AppendInt(static_cast<int64_t>(c.eligible_after), out);
  out->append(",\"changed\":");
  AppendInt(static_cast<int64_t>(c.changed), out);
  out->append(",\"gained\":");
  AppendInt(static_cast<int64_t>(c.gained), out);
  out->append(",\"lost\":");
  AppendInt(static_cast<int64_t>(c.lost), out);
}

// Display width of UTF-8 text: code points, less Thai combining marks (which sit on the
// character before them).
size_t Width(std::string_view s) {
  size_t w = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    uint32_t cp = 0;
    if (len == 3 && i + 2 < s.size()) {
      cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
    }
    bool combining =
        cp == 0x0E31 || (cp >= 0x0E34 && cp <= 0x0E3A) || (cp >= 0x0E47 && cp <= 0x0E4E);
    if (!combining) ++w;
    i += len;
  }
  return w;
}

std::string PadRight(std::string_view s, size_t width) {
  std::string out(s);
  size_t w = Width(s);
  if (w < width) out.append(width - w, ' ');
  return out;
}

std::string PadLeft(std::string_view s, size_t width) {
  size_t w = Width(s);
  return (w < width ? std::string(width - w, ' ') : std::string()) + std::string(s);
}

std::string Thousands(uint64_t v) {
  std::string s = std::to_string(v);
  std::string out;
  int n = static_cast<int>(s.size());
  for (int i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out.push_back(',');
    out.push_back(s[static_cast<size_t>(i)]);
  }
  return out;
}

std::string Signed(uint64_t after, uint64_t before) {
  if (after >= before) return "+" + Thousands(after - before);
  return "-" + Thousands(before - after);
}

std::string_view OutcomeLabel(const ImpactSide& s, Lang lang) {
  if (!s.offered) return lang == Lang::kTh ? "ไม่มีโครงการ" : "not offered";
  if (lang == Lang::kEn) return OutcomeName(s.outcome);
  switch (s.outcome) {
    case Outcome::kEligible:
      return "มีสิทธิ์";
    case Outcome::kIneligible:
      return "ไม่มีสิทธิ์";
    case Outcome::kNeedsInformation:
      return "ต้องการข้อมูลเพิ่มเติม";
    case Outcome::kError:
      return "กฎทำงานผิดพลาด";
  }
  return "";
}

}  // namespace

std::string ImpactChangesCsvHeader() {
  return "row,id,program,province,region,sme_size,legal_form,version_before,version_after,"
         "outcome_before,outcome_after,change,criteria,failed_before,failed_after,missing_after,"
         "score_before,score_after\r\n";
}

void AppendImpactChangeCsv(const ImpactChange& c, std::string* out) {
  AppendCsvRow({std::to_string(c.row), c.id, c.program, c.province, c.region, c.sme_size,
                c.legal_form, c.before.version, c.after.version, std::string(SideOutcome(c.before)),
                std::string(SideOutcome(c.after)), std::string(ChangeKind(c)), CriteriaText(c),
                Join(c.before.failed, ";"), Join(c.after.failed, ";"), Join(c.after.missing, ";"),
                Score(c.before.score), Score(c.after.score)},
               out);
}

std::string ImpactTotalsCsv(const ImpactReport& report) {
  std::string out =
      "dimension,key,label_th,label_en,program,screened,eligible_before,eligible_after,changed,"
      "gained,lost\r\n";
  for (const ImpactTotalsRow& r : report.totals) {
    AppendCsvRow({r.dimension, r.key, r.label.th, r.label.en, r.program,
                  std::to_string(r.counts.screened), std::to_string(r.counts.eligible_before),
                  std::to_string(r.counts.eligible_after), std::to_string(r.counts.changed),
                  std::to_string(r.counts.gained), std::to_string(r.counts.lost)},
                 &out);
  }
  return out;
}

std::string ImpactJsonHead() { return "{\"changes\":[\n"; }

void AppendImpactChangeJson(const ImpactChange& c, std::string* out) {
  out->append("{\"row\":");
  AppendInt(static_cast<int64_t>(c.row), out);
  out->append(",\"id\":");
  AppendJsonString(c.id, out);
  out->append(",\"program\":");
  AppendJsonString(c.program, out);
  out->append(",\"change\":");
  AppendJsonString(ChangeKind(c), out);
  out->append(",\"province\":");
  AppendJsonString(c.province, out);
  out->append(",\"region\":");
  AppendJsonString(c.region, out);
  out->append(",\"sme_size\":");
  AppendJsonString(c.sme_size, out);
  out->append(",\"legal_form\":");
  AppendJsonString(c.legal_form, out);
  out->append(",\"before\":");
  AppendSideJson(c.before, out);
  out->append(",\"after\":");
  AppendSideJson(c.after, out);
  out->append(",\"criteria\":[");
  for (size_t i = 0; i < c.criteria.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append("{\"id\":");
    AppendJsonString(c.criteria[i].id, out);
    out->append(",\"before\":");
    AppendJsonString(CriterionStateName(c.criteria[i].before), out);
    out->append(",\"after\":");
    AppendJsonString(CriterionStateName(c.criteria[i].after), out);
    out->push_back('}');
  }
  out->append("]}");
}

std::string ImpactJsonTail(const ImpactReport& r, std::string_view before_label,
                           std::string_view after_label) {
  std::string out = "],\n\"before\":{\"rules\":";
  AppendJsonString(before_label, &out);
  out += ",\"rule_set\":";
  AppendJsonString(r.rule_set_before, &out);
  out += "},\n\"after\":{\"rules\":";
  AppendJsonString(after_label, &out);
  out += ",\"rule_set\":";
  AppendJsonString(r.rule_set_after, &out);
  out += "},\n\"as_of\":";
  AppendJsonString(r.as_of.ToString(), &out);
  out += ",\n\"programs\":[";
  for (size_t i = 0; i < r.programs.size(); ++i) {
    const ImpactProgram& p = r.programs[i];
    if (i > 0) out += ",";
    out += "{\"program\":";
    AppendJsonString(p.id, &out);
    out += ",\"version_before\":";
    if (p.version_before.empty())
      out += "null";
    else
      AppendJsonString(p.version_before, &out);
    out += ",\"version_after\":";
    if (p.version_after.empty())
      out += "null";
    else
      AppendJsonString(p.version_after, &out);
    out += ",\"rules_changed\":";
    out += p.rules_changed ? "true" : "false";
    out += "}";
  }
  out += "],\n\"summary\":{\"records\":";
  AppendInt(static_cast<int64_t>(r.records), &out);
  out += ",\"screened\":";
  AppendInt(static_cast<int64_t>(r.screened), &out);
  out += ",\"invalid\":";
  AppendInt(static_cast<int64_t>(r.bad_records), &out);
  out += ",\"changes\":";
  AppendInt(static_cast<int64_t>(r.changes), &out);
  out += ",\"gained\":";
  AppendInt(static_cast<int64_t>(r.gained), &out);
  out += ",\"lost\":";
  AppendInt(static_cast<int64_t>(r.lost), &out);
  out += ",\"seconds\":";
  AppendNumber(r.seconds, &out);
  out += "},\n\"totals\":{";
  const char* dimensions[] = {"program", "region", "province", "sme_size", "legal_form"};
  for (size_t d = 0; d < std::size(dimensions); ++d) {
    if (d > 0) out += ",";
    out += "\n\"";
    out += dimensions[d];
    out += "\":[";
    bool first = true;
    for (const ImpactTotalsRow& row : r.totals) {
      if (row.dimension != dimensions[d]) continue;
      out += first ? "\n" : ",\n";
      first = false;
      out += "{\"key\":";
      AppendJsonString(row.key, &out);
      if (!row.label.th.empty() || !row.label.en.empty()) {
        out += ",\"label\":{\"th\":";
        AppendJsonString(row.label.th, &out);
        out += ",\"en\":";
        AppendJsonString(row.label.en, &out);
        out += "}";
      }
      out += ",\"program\":";
      AppendJsonString(row.program, &out);
      out += ",";
      AppendCountsJson(row.counts, &out);
      out += "}";
    }
    out += "]";
  }
  out += "}}\n";
  return out;
}

std::string ImpactReportText(const ImpactReport& r, const std::vector<ImpactChange>& changes,
                             Lang lang, std::string_view before_label,
                             std::string_view after_label) {
  const bool th = lang == Lang::kTh;
  std::string out;
  out += th ? "ผลกระทบของการแก้ไขกฎ\n" : "Impact of the rule change\n";
  out += (th ? "  ก่อน:  " : "  before: ") + std::string(before_label) + "  " + r.rule_set_before +
         "\n";
  out +=
      (th ? "  หลัง:  " : "  after:  ") + std::string(after_label) + "  " + r.rule_set_after + "\n";
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f", r.seconds);
  out += (th ? "  ณ วันที่ " : "  as of ") + r.as_of.ToString() + "; " + Thousands(r.records) +
         (th ? " รายการ, พิจารณา " : " records, ") + Thousands(r.screened) +
         (th ? " รายการ, ข้อมูลไม่ถูกต้อง " : " screened, ") + Thousands(r.bad_records) +
         (th ? " รายการ; " : " invalid; ") + seconds + " s\n\n";

  out += th ? "โครงการ\n" : "Programs\n";
  for (const ImpactProgram& p : r.programs) {
    std::string vb = p.version_before.empty() ? (th ? "(ไม่มี)" : "(none)") : p.version_before;
    std::string va = p.version_after.empty() ? (th ? "(ไม่มี)" : "(none)") : p.version_after;
    out += "  " + PadRight(p.id, 14) + PadRight(vb + " -> " + va, 22) +
           (p.rules_changed ? (th ? "กฎเปลี่ยน" : "rules changed")
                            : (th ? "กฎเหมือนเดิม (พิจารณาครั้งเดียว)" : "same rules (screened once)")) +
           "\n";
  }
  out += "\n";
  out += (th ? "ผลการพิจารณาที่เปลี่ยน: " : "Changed outcomes: ") + Thousands(r.changes) +
         (th ? " (ได้สิทธิ์เพิ่ม " : " (gained eligibility ") + Thousands(r.gained) +
         (th ? ", เสียสิทธิ์ " : ", lost eligibility ") + Thousands(r.lost) + ")\n";

  struct Dim {
    const char* id;
    const char* th;
    const char* en;
  };
  const Dim dims[] = {{"program", "แยกตามโครงการ", "By program"},
                      {"region", "แยกตามภาค", "By region"},
                      {"province", "แยกตามจังหวัด", "By province"},
                      {"sme_size", "แยกตามขนาดกิจการ", "By SME size"},
                      {"legal_form", "แยกตามรูปแบบกิจการ", "By legal form"}};
  for (const Dim& d : dims) {
    bool all_rows = std::string_view(d.id) == "program";
    std::vector<const ImpactTotalsRow*> rows;
    for (const ImpactTotalsRow& row : r.totals) {
      if (row.dimension == d.id && (all_rows || row.counts.changed > 0)) rows.push_back(&row);
    }
    out += "\n";
    out += th ? d.th : d.en;
    if (!all_rows) out += th ? " (เฉพาะที่มีการเปลี่ยนแปลง)" : " (rows with changes)";
    out += "\n";
    if (rows.empty()) {
      out += th ? "  ไม่มีการเปลี่ยนแปลง\n" : "  no changes\n";
      continue;
    }
    auto key_text = [&](const ImpactTotalsRow& row) {
      const std::string& label = th ? row.label.th : row.label.en;
      if (label.empty()) return row.key;
      return row.dimension == "province" ? row.key + " " + label : label;
    };
    size_t key_width = 0;
    if (!all_rows) {
      key_width = Width(th ? "กลุ่ม" : "key");
      for (const ImpactTotalsRow* row : rows)
        key_width = std::max(key_width, Width(key_text(*row)));
      key_width += 2;
    }
    out += "  " + PadRight(all_rows ? "" : (th ? "กลุ่ม" : "key"), key_width) +
           PadRight(th ? "โครงการ" : "program", 14) + PadLeft(th ? "พิจารณา" : "screened", 12) +
           PadLeft(th ? "มีสิทธิ์ก่อน" : "eligible before", 17) +
           PadLeft(th ? "มีสิทธิ์หลัง" : "eligible after", 16) + PadLeft(th ? "ผลต่าง" : "net", 10) +
           PadLeft(th ? "ได้สิทธิ์" : "gained", 10) + PadLeft(th ? "เสียสิทธิ์" : "lost", 10) +
           PadLeft(th ? "เปลี่ยน" : "changed", 10) + "\n";
    for (const ImpactTotalsRow* row : rows) {
      const ImpactCounts& c = row->counts;
      out += "  " + (all_rows ? std::string() : PadRight(key_text(*row), key_width)) +
             PadRight(row->program, 14) + PadLeft(Thousands(c.screened), 12) +
             PadLeft(Thousands(c.eligible_before), 17) + PadLeft(Thousands(c.eligible_after), 16) +
             PadLeft(Signed(c.eligible_after, c.eligible_before), 10) +
             PadLeft(Thousands(c.gained), 10) + PadLeft(Thousands(c.lost), 10) +
             PadLeft(Thousands(c.changed), 10) + "\n";
    }
  }

  out += "\n";
  if (r.changes == 0) {
    out += th ? "ไม่มีกิจการใดที่ผลการพิจารณาเปลี่ยน\n" : "No enterprise's outcome changed.\n";
    return out;
  }
  if (changes.size() < r.changes) {
    out += th ? "กิจการที่ผลการพิจารณาเปลี่ยน (" + Thousands(changes.size()) + " รายการแรกจาก " +
                    Thousands(r.changes) + " ตามลำดับในไฟล์; --limit 0 แสดงทั้งหมด)\n"
              : "Changed outcomes (the first " + Thousands(changes.size()) + " of " +
                    Thousands(r.changes) + ", in input order; --limit 0 lists all)\n";
  } else {
    out += th ? "กิจการที่ผลการพิจารณาเปลี่ยน (ตามลำดับในไฟล์)\n" : "Changed outcomes (in input order)\n";
  }
  for (const ImpactChange& c : changes) {
    out += (th ? "  แถว " : "  row ") + std::to_string(c.row) + "  " + c.id + "  " + c.program +
           "  " + std::string(OutcomeLabel(c.before, lang)) + " -> " +
           std::string(OutcomeLabel(c.after, lang)) + "  (" + c.province + ", " + c.sme_size +
           ", " + c.legal_form + ")\n";
    for (const CriterionChange& cc : c.criteria) {
      out += "      " + cc.id + ": " + std::string(CriterionStateName(cc.before)) + " -> " +
             std::string(CriterionStateName(cc.after)) + "\n";
    }
    if (c.criteria.empty()) {
      const std::string& e = !c.after.error.empty() ? c.after.error : c.before.error;
      if (!e.empty()) out += "      error: " + e + "\n";
    }
  }
  return out;
}

}  // namespace smematch
