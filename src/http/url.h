// URL pieces a route handler sees: percent-decoding, the path parameters a
// route pattern captured (Params) and the parsed query string (Query).
//
// Plain values with no I/O and no shared state: safe to use from any thread,
// cheap to move. Everything here is already percent-decoded.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace http {

// Decodes %XX escapes. With `plus_as_space` (query strings, as in
// application/x-www-form-urlencoded) '+' becomes ' '; in paths '+' is a plain
// character. Returns nullopt on a malformed escape ("%4", "%zz").
std::optional<std::string> PercentDecode(std::string_view text, bool plus_as_space = false);

// Like PercentDecode, but keeps malformed escapes as they are instead of
// failing. That is what Express's query parser (qs) does, and clients rely on
// it for values such as "100%".
std::string PercentDecodeLenient(std::string_view text, bool plus_as_space);

// A request target "/a/b?x=1#f" split into its path "/a/b" and its query "x=1"
// (both still encoded; a fragment, which clients should not send, is dropped).
struct Target {
  std::string_view path;
  std::string_view query;
};
Target SplitTarget(std::string_view target);

// The ":name" segments a route pattern captured, in pattern order.
class Params {
 public:
  void Add(std::string name, std::string value) {
    entries_.emplace_back(std::move(name), std::move(value));
  }
  // The value of `name`, or nullopt when the pattern has no such parameter.
  std::optional<std::string> Get(std::string_view name) const;

  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

// A parsed query string: an ordered multi-map of decoded names to values.
class Query {
 public:
  // Like qs' parameterLimit: pairs past this many are ignored, so a hostile
  // query string costs bounded work.
  static constexpr size_t kMaxPairs = 1000;

  // "a=1&b=x+y&a=2&flag" → {a:1, b:"x y", a:2, flag:""}. Empty pieces and
  // pieces with an empty name are skipped. Never fails (see PercentDecodeLenient).
  static Query Parse(std::string_view raw);

  // The first value of `name`, or nullopt when absent ("?flag" gives "").
  std::optional<std::string> Get(std::string_view name) const;
  // Every value of `name`, in order ("?a=1&a=2" gives {"1", "2"}).
  std::vector<std::string> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const;

  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

}  // namespace http
