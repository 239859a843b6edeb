// Status and Result<T>: errors as values across the engine.
//
// The engine never throws across its public functions; Xapian and ICU errors are
// caught at the edge and translated into one of these codes. The server maps each
// code to an HTTP status in one table; the indexer maps them to exit codes.
#ifndef SAREA_COMMON_STATUS_H_
#define SAREA_COMMON_STATUS_H_

#include <optional>
#include <string>
#include <utility>

namespace sarea {

// Never renumber: codes are logged and mapped by the server and the indexer.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument = 1,  // the caller's input is wrong (bad UTF-8, bad query, bad flag)
  kNotFound = 2,         // no such passage, document or file
  kUnavailable = 3,      // try again later: index locked, missing, or being replaced
  kCorruption = 4,       // stored data cannot be read back
  kIoError = 5,          // the operating system refused (permission, vanished file)
  kInternal = 6,         // a bug: an invariant did not hold
};

// Returns the stable snake_case name of a code ("invalid_argument", ...).
const char* StatusCodeName(StatusCode code);

class Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid_argument: message", or "ok".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status explaining why there is none. A Result built from an OK
// Status is a bug and becomes kInternal.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit on purpose
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) status_ = Status::Internal("Result constructed from an OK status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T& operator*() const& { return *value_; }
  T& operator*() & { return *value_; }
  const T* operator->() const { return &*value_; }
  T* operator->() { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace sarea

#endif  // SAREA_COMMON_STATUS_H_
