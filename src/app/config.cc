#include "app/config.h"

#include <arpa/inet.h>

#include <boost/url/parse.hpp>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <string>

#include "base/log.h"

extern char** environ;

namespace app {
namespace {

struct Value {
  std::string text;
  std::string source;  // "--port" or "WAGATE_PORT", for error messages
};

struct Setting {
  std::string_view flag;  // without the leading "--"
  std::string_view env;
  std::string_view help;
  std::string_view default_text;
};

// The order here is the order of --help and of validation.
constexpr Setting kSettings[] = {
    {"host", "WAGATE_HOST", "address to listen on (an IPv4/IPv6 literal or localhost)",
     "127.0.0.1"},
    {"port", "WAGATE_PORT", "TCP port to listen on; 0 picks a free one", "3000"},
    {"api-key", "WAGATE_API_KEY",
     "the API key; when unset one is generated on first start and kept in <data-dir>/api-key "
     "(prefer the variable: flags show in ps)",
     "generated"},
    {"jwt-secret", "WAGATE_JWT_SECRET", "HS256 secret; when set, Bearer JWTs are accepted too",
     "unset: JWTs refused"},
    {"db", "WAGATE_DB", "store: sqlite:<path> or a mongodb:// (mongodb+srv://) URI",
     "sqlite:./data/wagate.db"},
    {"data-dir", "WAGATE_DATA_DIR", "where wagate keeps its own files (the api-key)",
     "the sqlite file's directory, or ./data with mongodb"},
    {"media-dir", "WAGATE_MEDIA_DIR", "where media files are stored", "<data-dir>/media"},
    {"instance", "WAGATE_INSTANCE", "instance name (letters, digits, . _ -; up to 64)", "default"},
    {"public-url", "WAGATE_PUBLIC_URL", "base URL of media links (http:// or https://)",
     "http://<host>:<port>"},
    {"log-level", "WAGATE_LOG_LEVEL", "trace|debug|info|warn|error|critical|off", "info"},
    {"log-format", "WAGATE_LOG_FORMAT", "text|json", "text"},
    {"body-limit", "WAGATE_BODY_LIMIT",
     "largest request body: bytes, or with a k/m suffix (512k, 1mb)", "1mb"},
    {"cors-origins", "WAGATE_CORS_ORIGINS",
     "origins allowed to reach Socket.IO from a browser: a comma list "
     "(https://app.example.com) or *",
     "none: no CORS headers"},
    {"events-keep", "WAGATE_EVENTS_KEEP",
     "events kept for Socket.IO replay (auth.since); 0 keeps none", "10000"},
    {"events-max-age", "WAGATE_EVENTS_MAX_AGE",
     "age after which stored events are dropped: 90s, 15m, 12h, 7d; 0 for no limit", "7d"},
    {"wa-url", "WAGATE_WA_URL",
     "WhatsApp's WebSocket URL (ws:// or wss://); point it at wasim for tests and demos",
     "wss://web.whatsapp.com/ws/chat"},
    {"wa-root-key", "WAGATE_WA_ROOT_KEY",
     "trusted root of the server certificate chain: 64 hex digits (wasim prints its own)",
     "WhatsApp's root key"},
    {"wa-ca-file", "WAGATE_WA_CA_FILE",
     "a PEM file of extra CAs trusted for wss:// and media hosts (besides the system CAs)", "none"},
    {"push-name", "WAGATE_PUSH_NAME", "the name other WhatsApp users see for this device", "none"},
    {"media-max-bytes", "WAGATE_MEDIA_MAX_BYTES",
     "largest media a send may fetch from mediaUrl: bytes, or with a k/m suffix", "64mb"},
    {"media-allow-private", "WAGATE_MEDIA_ALLOW_PRIVATE",
     "1 lets sends fetch mediaUrl from loopback and private addresses (off: SSRF guard)", "0"},
    {"ffmpeg", "WAGATE_FFMPEG",
     "the ffmpeg program that makes video thumbnails: a path, or off; without it videos "
     "go without a thumbnail",
     "ffmpeg on PATH"},
};

const Setting* FindFlag(std::string_view flag) {
  for (const Setting& s : kSettings) {
    if (s.flag == flag) return &s;
  }
  return nullptr;
}

base::Status Bad(const Value& v, std::string_view what, bool echo = true) {
  std::string m = v.source + ": " + std::string(what);
  if (echo) m += ", got \"" + v.text + "\"";
  return base::InvalidArgument(std::move(m));
}

bool IsPrintableToken(std::string_view s) {
  for (unsigned char c : s) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

bool IsHost(std::string_view host) {
  if (host == "localhost") return true;
  std::string z(host);
  unsigned char buf[16];
  return inet_pton(AF_INET, z.c_str(), buf) == 1 || inet_pton(AF_INET6, z.c_str(), buf) == 1;
}

bool IsInstanceName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (unsigned char c : s) {
    if (!std::isalnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

// scheme://host[:port] with http or https, nothing after: what a browser
// sends as Origin.
bool IsOrigin(std::string_view origin) {
  auto url = boost::urls::parse_absolute_uri(origin);
  if (!url || (url->scheme() != "http" && url->scheme() != "https") || !url->has_authority() ||
      url->host().empty() || url->has_query() || url->has_fragment() || url->has_userinfo()) {
    return false;
  }
  return url->encoded_path().empty();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

base::Status ApplySetting(std::string_view flag, const Value& v, Config& c) {
  if (flag == "host") {
    if (!IsHost(v.text)) return Bad(v, "must be an IPv4 or IPv6 address or localhost");
    c.host = v.text;
  } else if (flag == "port") {
    unsigned port = 0;
    auto [p, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), port);
    if (v.text.empty() || ec != std::errc() || p != v.text.data() + v.text.size() || port > 65535) {
      return Bad(v, "must be an integer 0-65535");
    }
    c.port = static_cast<uint16_t>(port);
  } else if (flag == "api-key") {
    // Never echoed: it is a secret.
    if (!IsPrintableToken(v.text) || v.text.size() > 512) {
      return Bad(v, "must be 1-512 printable ASCII characters without spaces", false);
    }
    c.api_key = v.text;
  } else if (flag == "jwt-secret") {
    if (v.text.size() > 4096) return Bad(v, "must be at most 4096 bytes", false);
    c.jwt_secret = v.text;
  } else if (flag == "db") {
    c.db = v.text;
    if (v.text.starts_with("sqlite:") && v.text.size() > 7) {
      c.db_kind = DbKind::kSqlite;
      c.db_target = v.text.substr(7);
    } else if ((v.text.starts_with("mongodb://") && v.text.size() > 10) ||
               (v.text.starts_with("mongodb+srv://") && v.text.size() > 14)) {
      c.db_kind = DbKind::kMongo;
      c.db_target = v.text;
    } else {
      return base::InvalidArgument(v.source +
                                   ": must be sqlite:<path> or a mongodb:// URI, got \"" +
                                   RedactUserInfo(v.text) + "\"");
    }
  } else if (flag == "data-dir") {
    if (v.text.empty()) return Bad(v, "must not be empty");
    c.data_dir = v.text;
  } else if (flag == "media-dir") {
    if (v.text.empty()) return Bad(v, "must not be empty");
    c.media_dir = v.text;
  } else if (flag == "instance") {
    if (!IsInstanceName(v.text)) {
      return Bad(v, "must be 1-64 letters, digits, '.', '_' or '-'");
    }
    c.instance = v.text;
  } else if (flag == "public-url") {
    auto url = boost::urls::parse_absolute_uri(v.text);
    if (!url || (url->scheme() != "http" && url->scheme() != "https") || !url->has_authority() ||
        url->host().empty() || url->has_query() || url->has_fragment()) {
      return Bad(v, "must be an http:// or https:// URL without query or fragment");
    }
    std::string u = v.text;
    while (u.ends_with('/')) u.pop_back();
    c.public_url = u;
  } else if (flag == "log-level") {
    if (!base::IsValidLogLevel(v.text)) {
      return Bad(v, "must be one of trace, debug, info, warn, error, critical, off");
    }
    c.log_level = v.text;
  } else if (flag == "log-format") {
    if (v.text == "text") {
      c.log_format = base::LogFormat::kText;
    } else if (v.text == "json") {
      c.log_format = base::LogFormat::kJson;
    } else {
      return Bad(v, "must be text or json");
    }
  } else if (flag == "body-limit") {
    constexpr uint64_t kMax = uint64_t{1} << 30;
    auto n = ParseByteSize(v.text);
    if (!n || *n == 0 || *n > kMax) {
      return Bad(v, "must be a size from 1 byte to 1gb: bytes, or a number with k/kb/m/mb/g/gb");
    }
    c.body_limit = *n;
  } else if (flag == "cors-origins") {
    std::vector<std::string> origins;
    std::string_view rest = v.text;
    for (;;) {
      const size_t comma = rest.find(',');
      std::string_view item = Trim(rest.substr(0, comma));
      if (item != "*" && !IsOrigin(item)) {
        return base::InvalidArgument(v.source +
                                     ": must be * or a comma-separated list of origins like "
                                     "https://app.example.com (no path), got \"" +
                                     std::string(item) + "\"");
      }
      origins.emplace_back(item);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    c.cors_origins = std::move(origins);
  } else if (flag == "events-keep") {
    int64_t n = -1;
    auto [p, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), n);
    if (ec != std::errc() || p != v.text.data() + v.text.size() || n < 0 || n > 100'000'000) {
      return Bad(v, "must be an integer 0-100000000");
    }
    c.events_keep = n;
  } else if (flag == "events-max-age") {
    auto ms = ParseDurationMs(v.text);
    if (!ms) return Bad(v, "must be a duration like 90s, 15m, 12h or 7d (or 0 for no limit)");
    c.events_max_age_ms = *ms;
  } else if (flag == "wa-url") {
    auto url = boost::urls::parse_absolute_uri(v.text);
    if (!url || (url->scheme() != "ws" && url->scheme() != "wss") || url->host().empty() ||
        url->has_userinfo() || url->has_fragment()) {
      return Bad(v, "must be a ws:// or wss:// URL like wss://web.whatsapp.com/ws/chat");
    }
    c.wa_url = v.text;
  } else if (flag == "wa-root-key") {
    if (v.text.size() != 64 ||
        v.text.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
      return Bad(v, "must be a 32-byte public key as 64 hex digits");
    }
    c.wa_root_key = v.text;
  } else if (flag == "wa-ca-file") {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(v.text, ec)) return Bad(v, "must be a readable PEM file");
    c.wa_ca_file = v.text;
  } else if (flag == "media-max-bytes") {
    auto n = ParseByteSize(v.text);
    if (!n || *n == 0 || *n > (uint64_t{2} << 30)) {
      return Bad(v, "must be a size between 1 byte and 2gb, like 64mb");
    }
    c.media_max_bytes = *n;
  } else if (flag == "media-allow-private") {
    if (v.text != "0" && v.text != "1" && v.text != "true" && v.text != "false") {
      return Bad(v, "must be 0 or 1");
    }
    c.media_allow_private = v.text == "1" || v.text == "true";
  } else if (flag == "ffmpeg") {
    // Checked when first used (a missing ffmpeg only costs the thumbnail).
    if (v.text.empty() || v.text.size() > 4096 || v.text.find('\0') != std::string::npos) {
      return Bad(v, "must be a path to the ffmpeg program, or off");
    }
    c.ffmpeg = v.text;
  } else if (flag == "push-name") {
    if (v.text.size() > 100) return Bad(v, "must be at most 100 characters", false);
    c.push_name = v.text;
  }
  return base::Status::Ok();
}

}  // namespace

std::string RedactUserInfo(std::string_view uri) {
  size_t scheme = uri.find("://");
  if (scheme == std::string_view::npos) return std::string(uri);
  size_t start = scheme + 3;
  size_t at = uri.find('@', start);
  size_t slash = uri.find('/', start);
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at)) {
    return std::string(uri);
  }
  return std::string(uri.substr(0, start)) + "***" + std::string(uri.substr(at));
}

std::optional<uint64_t> ParseByteSize(std::string_view text) {
  uint64_t n = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, n);
  if (ec != std::errc() || p == text.data()) return std::nullopt;
  std::string unit;
  for (const char* q = p; q != end; ++q) {
    unit += static_cast<char>(std::tolower(static_cast<unsigned char>(*q)));
  }
  uint64_t mult = 0;
  if (unit.empty() || unit == "b") {
    mult = 1;
  } else if (unit == "k" || unit == "kb") {
    mult = 1024;
  } else if (unit == "m" || unit == "mb") {
    mult = 1024 * 1024;
  } else if (unit == "g" || unit == "gb") {
    mult = 1024 * 1024 * 1024;
  } else {
    return std::nullopt;
  }
  if (n > UINT64_MAX / mult) return std::nullopt;
  return n * mult;
}

std::optional<int64_t> ParseDurationMs(std::string_view text) {
  int64_t n = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, n);
  if (ec != std::errc() || p == text.data() || n < 0) return std::nullopt;
  const std::string_view unit(p, static_cast<size_t>(end - p));
  int64_t mult = 0;
  if (unit.empty() || unit == "s") {
    mult = 1000;
  } else if (unit == "m") {
    mult = 60 * 1000;
  } else if (unit == "h") {
    mult = 3600 * 1000;
  } else if (unit == "d") {
    mult = 24 * 3600 * 1000;
  } else {
    return std::nullopt;
  }
  // At most ten years.
  if (n > int64_t{3650} * 24 * 3600 * 1000 / mult) return std::nullopt;
  return n * mult;
}

base::Result<Config> ParseConfig(const std::vector<std::string>& args, const Env& env) {
  // Collect raw values: the environment first, flags over it.
  std::map<std::string_view, Value> values;
  for (const Setting& s : kSettings) {
    auto it = env.find(s.env);
    // An empty variable counts as unset: `WAGATE_X=` is how compose files
    // and shells say "not given".
    if (it != env.end() && !it->second.empty()) values[s.flag] = {it->second, std::string(s.env)};
  }
  Config c;
  bool flags_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (flags_done || a == "-" || !a.starts_with("-")) {
      c.positional.push_back(a);
      continue;
    }
    if (a == "--") {
      flags_done = true;
      continue;
    }
    std::string_view body = a;
    body.remove_prefix(a.starts_with("--") ? 2 : 1);
    size_t eq = body.find('=');
    std::string_view name = body.substr(0, eq);
    const Setting* s = a.starts_with("--") ? FindFlag(name) : nullptr;
    if (s == nullptr) {
      return base::InvalidArgument("unknown flag " + a.substr(0, a.find('=')) +
                                   " (see wagate --help)");
    }
    std::string flag = "--" + std::string(s->flag);
    if (eq != std::string_view::npos) {
      values[s->flag] = {std::string(body.substr(eq + 1)), flag};
    } else if (i + 1 < args.size()) {
      values[s->flag] = {args[++i], flag};
    } else {
      return base::InvalidArgument(flag + ": missing value");
    }
  }

  for (const Setting& s : kSettings) {
    auto it = values.find(s.flag);
    if (it == values.end()) continue;
    // An empty flag value for an optional secret means "not set"; anywhere
    // else it is a mistake the setting's own check reports.
    if (it->second.text.empty() && (s.flag == "api-key" || s.flag == "jwt-secret")) continue;
    WAGATE_RETURN_IF_ERROR(ApplySetting(s.flag, it->second, c));
  }

  if (!values.contains("data-dir")) {
    if (c.db_kind == DbKind::kSqlite && c.db_target != ":memory:") {
      std::filesystem::path parent = std::filesystem::path(c.db_target).parent_path();
      c.data_dir = parent.empty() ? "." : parent.string();
    } else {
      c.data_dir = "./data";
    }
  }
  if (!values.contains("media-dir")) c.media_dir = c.data_dir + "/media";
  return c;
}

Env ProcessEnv() {
  Env env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv = *e;
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos || !kv.starts_with("WAGATE_")) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

std::string HelpText() {
  std::string out =
      "wagate — a WhatsApp REST API server\n"
      "\n"
      "usage:\n"
      "  wagate [serve] [flags]                 run the server (the default)\n"
      "  wagate import [flags] <file.jsonl|->   load chats and messages into the store\n"
      "  wagate --help | --version\n"
      "\n"
      "Every setting is a flag or an environment variable; the flag wins.\n"
      "Flags take --name=value or --name value.\n\n";
  for (const Setting& s : kSettings) {
    out += "  --" + std::string(s.flag) + ", " + std::string(s.env) + "\n";
    out += "      " + std::string(s.help) + " (default: " + std::string(s.default_text) + ")\n";
  }
  out +=
      "\n"
      "import reads JSON lines, each {\"message\": {...}, \"chatName\"?: \"...\", "
      "\"isGroup\"?: bool}\n"
      "or {\"chat\": {...}}, with the field names of the API's message and chat objects\n"
      "(times as ISO-8601 or epoch milliseconds).\n"
      "\n"
      "A bad setting exits with code 2, naming it.\n";
  return out;
}

}  // namespace app
