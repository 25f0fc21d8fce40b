// Writing decisions for people and programs: JSON Lines (full with reasons in Thai and
// English, or compact), CSV (one row per enterprise × program, for Excel) and a readable text
// table. Texts are formatted only here, when output needs them. Functions append to a string
// and are thread-safe.
#ifndef SMEMATCH_DECISION_WRITER_H_
#define SMEMATCH_DECISION_WRITER_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "smematch/profile.h"
#include "smematch/profile_io.h"
#include "smematch/screener.h"

namespace smematch {

enum class Lang { kTh, kEn };

struct WriteOptions {
  bool compact = false;         // JSON: outcome, failed ids, missing fields, score only
  Lang lang = Lang::kTh;        // CSV and table texts (JSON carries both languages)
  std::string rule_set;         // RuleSet::hash()
  Date as_of;
};

// Appends one JSON object (no newline) with the enterprise id and one entry per decision.
void AppendDecisionsJson(const EnterpriseProfile& profile, std::span<const Decision> decisions,
                         const WriteOptions& options, std::string* out);

// Appends one JSON object (no newline) reporting a record that could not be screened:
// {"row": N, "id": ..., "error": {"code", "message", "fields": [{"field", "message"}]}}.
void AppendRecordErrorJson(size_t row, std::string_view id, const Status& status,
                           const std::vector<FieldError>& fields, std::string* out);

// CSV: the header, then one row per decision; an unscreened record is one row with outcome
// "error". Lines end in CRLF.
std::string DecisionsCsvHeader();  // column ids, the same in both languages
void AppendDecisionsCsv(const EnterpriseProfile& profile, std::span<const Decision> decisions,
                        const WriteOptions& options, std::string* out);
void AppendRecordErrorCsv(size_t row, std::string_view id, const Status& status,
                          const WriteOptions& options, std::string* out);

// A readable block per enterprise: every program, outcome, score and every criterion's reason.
void AppendDecisionsTable(const EnterpriseProfile& profile, std::span<const Decision> decisions,
                          const WriteOptions& options, std::string* out);
void AppendRecordErrorTable(size_t row, std::string_view id, const Status& status,
                            const WriteOptions& options, std::string* out);

}  // namespace smematch

#endif  // SMEMATCH_DECISION_WRITER_H_
