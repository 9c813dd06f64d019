#include "api/validate.h"

#include <charconv>
#include <limits>

#include "base/encoding.h"

namespace api {
namespace {

constexpr size_t kMaxJidUserDigits = 20;
constexpr size_t kMinPhoneDigits = 7;
constexpr size_t kMaxPhoneDigits = 15;  // E.164

bool AllDigits(std::string_view s, size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsGroupId(std::string_view id) {
  size_t dash = id.find('-');
  if (dash == std::string_view::npos) return AllDigits(id, kMaxJidUserDigits);
  return AllDigits(id.substr(0, dash), kMaxJidUserDigits) &&
         AllDigits(id.substr(dash + 1), kMaxJidUserDigits);
}

// Strips what people type around phone numbers: spaces, dashes, one leading
// plus. Returns nullopt when anything else is left that is not a digit.
std::optional<std::string> PhoneDigits(std::string_view text) {
  std::string digits;
  bool seen_digit = false;
  bool seen_plus = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      digits += c;
      seen_digit = true;
    } else if (c == ' ' || c == '-') {
      continue;
    } else if (c == '+' && !seen_digit && !seen_plus) {
      seen_plus = true;
    } else {
      return std::nullopt;
    }
  }
  if (digits.size() < kMinPhoneDigits || digits.size() > kMaxPhoneDigits) return std::nullopt;
  return digits;
}

std::string Quote(std::string_view s) {
  constexpr size_t kMaxShown = 64;  // echo the input, but never a whole body
  std::string out = "\"";
  out += s.substr(0, kMaxShown);
  if (s.size() > kMaxShown) out += "...";
  out += '"';
  return out;
}

bool ParseInt64(std::string_view s, int64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

bool IsChatJid(std::string_view jid) {
  size_t at = jid.find('@');
  if (at == std::string_view::npos) return false;
  std::string_view user = jid.substr(0, at);
  std::string_view server = jid.substr(at + 1);
  if (server == "s.whatsapp.net" || server == "lid") return AllDigits(user, kMaxJidUserDigits);
  if (server == "g.us") return IsGroupId(user);
  return false;
}

Result<std::string> NormalizeRecipient(std::string_view to) {
  if (to.find('@') != std::string_view::npos) {
    if (IsChatJid(to)) return std::string(to);
  } else if (auto digits = PhoneDigits(to)) {
    return *digits + "@s.whatsapp.net";
  }
  return base::InvalidArgument(
      "to must be a phone number with country code (7-15 digits) or a JID on s.whatsapp.net, "
      "g.us or lid, got " +
      Quote(to));
}

Result<std::string> NormalizePhoneNumber(std::string_view phone, std::string_view field) {
  if (auto digits = PhoneDigits(phone)) return *digits;
  return base::InvalidArgument(std::string(field) +
                               " must be a phone number with country code (7-15 digits), got " +
                               Quote(phone));
}

Result<std::string> ValidateChatJidParam(std::string_view jid) {
  if (IsChatJid(jid)) return std::string(jid);
  return base::InvalidArgument(
      "jid must be a chat JID (<digits>@s.whatsapp.net, <id>@g.us or <digits>@lid, without a "
      "device part), got " +
      Quote(jid));
}

Result<int> ParseIntParam(std::string_view name, std::optional<std::string_view> raw, int fallback,
                          int min, int max) {
  if (!raw) return fallback;
  int64_t v = 0;
  if (ParseInt64(*raw, v) && v >= min && v <= max) return static_cast<int>(v);
  std::string range =
      max == std::numeric_limits<int>::max()
          ? "an integer >= " + std::to_string(min)
          : "an integer between " + std::to_string(min) + " and " + std::to_string(max);
  return base::InvalidArgument(std::string(name) + " must be " + range + ", got " + Quote(*raw));
}

std::string EncodeCursor(const store::MessageCursor& cursor) {
  return base::Base64UrlEncode("v1." + std::to_string(cursor.timestamp_ms) + "." +
                               std::to_string(cursor.seq));
}

Result<store::MessageCursor> DecodeCursor(std::string_view text) {
  auto bad = [&] {
    return base::InvalidArgument(
        "before must be a cursor returned as nextCursor by this endpoint, got " + Quote(text));
  };
  auto raw = base::Base64Decode(text);
  if (!raw.ok()) return bad();
  std::string_view s = *raw;
  if (s.substr(0, 3) != "v1.") return bad();
  s.remove_prefix(3);
  size_t dot = s.find('.');
  if (dot == std::string_view::npos) return bad();
  store::MessageCursor cursor;
  if (!ParseInt64(s.substr(0, dot), cursor.timestamp_ms) ||
      !ParseInt64(s.substr(dot + 1), cursor.seq) || cursor.seq < 0) {
    return bad();
  }
  // One spelling per cursor: "+1", "01" or the standard alphabet are not
  // something this server ever produced.
  if (EncodeCursor(cursor) != text) return bad();
  return cursor;
}

}  // namespace api
