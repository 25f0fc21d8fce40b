#include "smematch/screener.h"

#include "lua/rule_runtime.h"

namespace smematch {

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kEligible: return "eligible";
    case Outcome::kIneligible: return "ineligible";
    case Outcome::kNeedsInformation: return "needs_information";
    case Outcome::kError: return "error";
  }
  return "error";
}

std::string_view CriterionOutcomeName(CriterionOutcome outcome) {
  switch (outcome) {
    case CriterionOutcome::kPass: return "pass";
    case CriterionOutcome::kFail: return "fail";
    case CriterionOutcome::kNeedsInformation: return "needs_information";
  }
  return "fail";
}

struct Screener::Impl {
  explicit Impl(std::shared_ptr<const RuleSet> r) : rules(std::move(r)), runtime(rules->limits()) {}

  std::shared_ptr<const RuleSet> rules;
  RuleRuntime runtime;
  mutable Stats stats;
  // The programs selected by the last options, resolved for their as_of date.
  bool resolved = false;
  Date as_of;
  std::vector<std::string> requested;
  std::vector<const ProgramInfo*> selected;

  Status Resolve(const ScreenOptions& options) {
    if (resolved && options.as_of == as_of && options.programs == requested) return Status::Ok();
    resolved = false;
    std::vector<const ProgramInfo*> programs;
    const std::vector<std::string>& ids =
        options.programs.empty() ? rules->program_ids() : options.programs;
    for (const std::string& id : ids) {
      Result<const ProgramInfo*> p = rules->Find(id, options.as_of);
      if (!p.ok()) return p.status();
      programs.push_back(*p);
    }
    SMEMATCH_RETURN_IF_ERROR(runtime.SetAsOf(options.as_of));
    SMEMATCH_RETURN_IF_ERROR(runtime.Select(programs));
    selected = std::move(programs);
    as_of = options.as_of;
    requested = options.programs;
    resolved = true;
    return Status::Ok();
  }
};

Screener::Screener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Screener::~Screener() = default;

Result<std::unique_ptr<Screener>> Screener::Create(std::shared_ptr<const RuleSet> rules) {
  auto impl = std::make_unique<Impl>(std::move(rules));
  SMEMATCH_RETURN_IF_ERROR(impl->runtime.Load(impl->rules->files(), impl->rules->provinces()));
  return std::unique_ptr<Screener>(new Screener(std::move(impl)));
}

Status Screener::Screen(const EnterpriseProfile& profile, const ScreenOptions& options,
                        std::vector<Decision>* decisions) {
  SMEMATCH_RETURN_IF_ERROR(impl_->Resolve(options));
  if (options.explain) {
    SMEMATCH_RETURN_IF_ERROR(impl_->runtime.SetApplicant(profile));
    decisions->resize(impl_->selected.size());
    for (size_t i = 0; i < impl_->selected.size(); ++i) {
      impl_->runtime.Explain(*impl_->selected[i], &(*decisions)[i]);
    }
  } else {
    SMEMATCH_RETURN_IF_ERROR(impl_->runtime.ScreenSelected(profile, decisions));
  }
  for (const Decision& d : *decisions) {
    ++impl_->stats.decisions;
    if (d.outcome == Outcome::kError) {
      ++impl_->stats.rule_errors;
      if (d.error.code() == StatusCode::kResourceExhausted) ++impl_->stats.budget_kills;
    }
  }
  return Status::Ok();
}

const RuleSet& Screener::rules() const { return *impl_->rules; }
const Screener::Stats& Screener::stats() const {
  impl_->stats.replays = impl_->runtime.sandbox().replays();
  return impl_->stats;
}

}  // namespace smematch
