// Status and Result<T>: how the engine reports errors. No exception crosses the engine's public
// API; every fallible call returns one of these. Codes carry abseil's canonical meanings.
// Thread-compatible value types.
#ifndef SMEMATCH_STATUS_H_
#define SMEMATCH_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace smematch {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad input: a profile field, a flag, a rule script's syntax
  kNotFound,            // a file, program or decision that does not exist
  kFailedPrecondition,  // e.g. no version of a program is effective on the `as_of` date
  kResourceExhausted,   // a rule hit its instruction or memory budget; an input over a size cap
  kDeadlineExceeded,
  kUnavailable,         // an input or output could not be read or written (I/O)
  kInternal,            // a bug in smematch, or a rule script's runtime error
};

// Returns the lower-case name of `code` ("invalid_argument", ...), stable for JSON and logs.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns "code: message", or "ok".
  std::string ToString() const;

  // Returns a copy whose message is `prefix` + ": " + this message (for adding context such as a
  // file path or CSV row while keeping the code).
  Status WithPrefix(std::string_view prefix) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgumentError(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFoundError(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status FailedPreconditionError(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status ResourceExhaustedError(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status UnavailableError(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Result<T> holds either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit like absl::StatusOr
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok() && "Result constructed from an OK Status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace smematch

#define SMEMATCH_RETURN_IF_ERROR(expr)             \
  do {                                             \
    ::smematch::Status smematch_status_ = (expr);  \
    if (!smematch_status_.ok()) return smematch_status_; \
  } while (0)

#endif  // SMEMATCH_STATUS_H_
