// Reading and writing EnterpriseProfile as JSON (one object) and as CSV rows.
// Every problem is reported against the field it concerns: a JSON pointer ("/needs/marketing")
// for JSON, the column name for CSV. A ProfileReader is not thread-safe (it owns parser
// buffers); use one per thread.
#ifndef SMEMATCH_PROFILE_IO_H_
#define SMEMATCH_PROFILE_IO_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "smematch/profile.h"
#include "smematch/status.h"

namespace smematch {

class ProvinceTable;

// One problem with one input field.
struct FieldError {
  std::string field;    // JSON pointer ("/employees") or CSV column name ("employees")
  std::string message;  // what is wrong, e.g. "expected a whole number ≥ 0, got -3"
};

// Input size caps: the Lua hook cannot interrupt C code, so untrusted text is bounded here.
inline constexpr size_t kMaxRecordBytes = 64 * 1024;  // one JSON object or CSV row
inline constexpr size_t kMaxStringBytes = 1024;       // one string field
inline constexpr size_t kMaxParticipations = 64;

class ProfileReader {
 public:
  // `provinces` validates province codes when non-null; it must outlive the reader.
  explicit ProfileReader(const ProvinceTable* provinces = nullptr);
  ~ProfileReader();
  ProfileReader(const ProfileReader&) = delete;
  ProfileReader& operator=(const ProfileReader&) = delete;

  // Parses one JSON object into `*out` (reset first). Unknown fields, wrong types and values
  // out of range are all reported in `*errors` (cleared first); returns kInvalidArgument whose
  // message joins them, or OK. `json` needs no padding; it is copied if too close to a page end.
  Status ParseJson(std::string_view json, EnterpriseProfile* out, std::vector<FieldError>* errors);

  // Same, for a buffer that stays readable for at least 64 bytes past `json.end()` (a line in a
  // larger block): parsed in place without a copy.
  Status ParseJsonPadded(std::string_view json, EnterpriseProfile* out,
                         std::vector<FieldError>* errors);

  // Fills `*out` from one CSV record whose cells are named by `header` (same names as the JSON
  // fields; see docs/enterprise-profile.md for the list and cell formats). Empty cells are
  // absent values; unknown columns are reported once by CheckCsvHeader, not per row.
  Status ParseCsv(const std::vector<std::string>& header, const std::vector<std::string>& cells,
                  EnterpriseProfile* out, std::vector<FieldError>* errors);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Checks a CSV header: every column must be a known field (or a need_<dimension> column), no
// duplicates, and "id" and "name" present. Returns kInvalidArgument naming the bad columns.
Status CheckCsvHeader(const std::vector<std::string>& header);

// Appends `profile` as one compact JSON object (no trailing newline) to `*out`: the canonical
// form the generator writes and the audit trail stores. Absent optional fields are omitted.
void AppendProfileJson(const EnterpriseProfile& profile, std::string* out);

// Returns the CSV header naming every column AppendProfileCsv writes.
std::vector<std::string> ProfileCsvHeader();
// Appends `profile` as one CSV record (RFC 4180 quoting, CRLF) in ProfileCsvHeader order.
void AppendProfileCsv(const EnterpriseProfile& profile, std::string* out);

// Joins `errors` as "field: message; field: message".
std::string JoinFieldErrors(const std::vector<FieldError>& errors);

}  // namespace smematch

#endif  // SMEMATCH_PROFILE_IO_H_
