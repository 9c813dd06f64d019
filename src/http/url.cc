#include "http/url.h"

namespace http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes into `out`; returns false at the first malformed escape when
// `strict`, otherwise copies such an escape through unchanged.
bool Decode(std::string_view text, bool plus_as_space, bool strict, std::string& out) {
  out.clear();
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      const bool complete = i + 2 < text.size();
      const int hi = complete ? HexValue(text[i + 1]) : -1;
      const int lo = complete ? HexValue(text[i + 2]) : -1;
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
      if (strict) return false;
      out.push_back(c);
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view text, bool plus_as_space) {
  std::string out;
  if (!Decode(text, plus_as_space, /*strict=*/true, out)) return std::nullopt;
  return out;
}

std::string PercentDecodeLenient(std::string_view text, bool plus_as_space) {
  std::string out;
  Decode(text, plus_as_space, /*strict=*/false, out);
  return out;
}

Target SplitTarget(std::string_view target) {
  if (const size_t hash = target.find('#'); hash != std::string_view::npos) {
    target = target.substr(0, hash);
  }
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

std::optional<std::string> Params::Get(std::string_view name) const {
  for (const auto& [n, v] : entries_) {
    if (n == name) return v;
  }
  return std::nullopt;
}

Query Query::Parse(std::string_view raw) {
  Query query;
  while (!raw.empty() && query.entries_.size() < kMaxPairs) {
    const size_t amp = raw.find('&');
    const std::string_view piece = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view() : raw.substr(amp + 1);
    if (piece.empty()) continue;
    const size_t eq = piece.find('=');
    const std::string_view name = piece.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
    std::string decoded_name = PercentDecodeLenient(name, /*plus_as_space=*/true);
    if (decoded_name.empty()) continue;
    query.entries_.emplace_back(std::move(decoded_name),
                                PercentDecodeLenient(value, /*plus_as_space=*/true));
  }
  return query;
}

std::optional<std::string> Query::Get(std::string_view name) const {
  for (const auto& [n, v] : entries_) {
    if (n == name) return v;
  }
  return std::nullopt;
}

std::vector<std::string> Query::GetAll(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [n, v] : entries_) {
    if (n == name) values.push_back(v);
  }
  return values;
}

bool Query::Has(std::string_view name) const { return Get(name).has_value(); }

}  // namespace http
