// Status and Result<T>: errors as values.
//
// A Status is ok, or a code from a closed set plus a message that gives
// context ("sqlite: prepare list_messages: no such table"). Result<T> holds a
// T or a non-ok Status. Neither throws; both are cheap to move. Thread-safe as
// values (no shared state).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace base {

enum class Code {
  kOk = 0,
  kInvalidArgument,     // the caller's input is wrong (HTTP 400)
  kUnauthenticated,     // missing or bad credential (401)
  kPermissionDenied,    // (403)
  kNotFound,            // (404)
  kAlreadyExists,       // (409)
  kFailedPrecondition,  // the system is not in a state to do this (409)
  kResourceExhausted,   // a size or queue limit was hit (413 / 429)
  kUnavailable,         // a dependency is down or not built yet (503)
  kDeadlineExceeded,    // a bounded wait ran out (504)
  kAborted,             // concurrency conflict, retry may work
  kCancelled,           // shutdown or caller went away
  kDataLoss,            // stored data is corrupt
  kUnimplemented,
  kInternal,  // a bug (500)
};

std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes the message with where it happened: "open store: " + message.
  Status WithContext(std::string_view context) const;
  // "NotFound: chat 1555...", or "OK".
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status Unauthenticated(std::string m) { return {Code::kUnauthenticated, std::move(m)}; }
inline Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {Code::kFailedPrecondition, std::move(m)};
}
inline Status ResourceExhausted(std::string m) { return {Code::kResourceExhausted, std::move(m)}; }
inline Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
inline Status DeadlineExceeded(std::string m) { return {Code::kDeadlineExceeded, std::move(m)}; }
inline Status Aborted(std::string m) { return {Code::kAborted, std::move(m)}; }
inline Status Cancelled(std::string m) { return {Code::kCancelled, std::move(m)}; }
inline Status DataLoss(std::string m) { return {Code::kDataLoss, std::move(m)}; }
inline Status Unimplemented(std::string m) { return {Code::kUnimplemented, std::move(m)}; }
inline Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

// Result<T>: a T, or the Status saying why there is none.
// REQUIRES: a Result is never built from an ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace base

#define WAGATE_CONCAT_INNER(a, b) a##b
#define WAGATE_CONCAT(a, b) WAGATE_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function when it is not ok.
#define WAGATE_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::base::Status wagate_status_ = (expr);          \
    if (!wagate_status_.ok()) return wagate_status_; \
  } while (0)

// `WAGATE_ASSIGN_OR_RETURN(auto x, Compute());` — binds the value or returns
// the error Status from the enclosing function.
#define WAGATE_ASSIGN_OR_RETURN(lhs, expr) \
  WAGATE_ASSIGN_OR_RETURN_IMPL(WAGATE_CONCAT(wagate_result_, __LINE__), lhs, expr)
#define WAGATE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
