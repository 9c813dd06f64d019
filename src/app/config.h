// Config: the settings of `wagate`, from command-line flags and WAGATE_*
// environment variables (a flag wins over its variable), validated in one
// place. Parsing is pure: the environment is passed in as a map, so tests
// never touch the real one. Every error names the setting as the user wrote
// it ("--port" or "WAGATE_PORT") and the value that was refused.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "base/status.h"

namespace app {

using Env = std::map<std::string, std::string, std::less<>>;

enum class DbKind { kSqlite, kMongo };

struct Config {
  std::string host = "127.0.0.1";
  uint16_t port = 3000;
  std::string api_key;     // empty: load or generate <data_dir>/api-key
  std::string jwt_secret;  // empty: bearer JWTs are refused
  std::string db = "sqlite:./data/wagate.db";
  DbKind db_kind = DbKind::kSqlite;
  std::string db_target = "./data/wagate.db";  // the sqlite path or the mongodb URI
  // Where wagate keeps its own files (the generated api-key): WAGATE_DATA_DIR,
  // else the directory of the sqlite file, else ./data.
  std::string data_dir = "./data";
  std::string media_dir = "./data/media";  // default: <data_dir>/media
  std::string instance = "default";
  std::string public_url;  // empty: http://<host>:<bound port>
  std::string log_level = "info";
  base::LogFormat log_format = base::LogFormat::kText;
  uint64_t body_limit = 1024 * 1024;
  // Socket.IO: origins allowed to poll from a browser ("*" for any); empty:
  // no CORS headers.
  std::vector<std::string> cors_origins;
  // Retention of the event log replayed to reconnecting Socket.IO clients.
  int64_t events_keep = 10000;
  int64_t events_max_age_ms = int64_t{7} * 24 * 3600 * 1000;  // 0: no age limit
  // The WhatsApp server: its WebSocket URL, the trusted root of its
  // certificate chain (hex; empty: WhatsApp's), an extra CA file for TLS.
  std::string wa_url = "wss://web.whatsapp.com/ws/chat";
  std::string wa_root_key;
  std::string wa_ca_file;
  std::string push_name;
  // Media of sends: the largest mediaUrl download, and whether private and
  // loopback addresses may be fetched (tests, local files).
  uint64_t media_max_bytes = 64ull << 20;
  bool media_allow_private = false;
  // ffmpeg for video thumbnails: a path, "off", or empty for $PATH.
  std::string ffmpeg;
  // Arguments that are not flags (the import file), in order.
  std::vector<std::string> positional;
};

// Parses `args` (without the program name and subcommand) over `env`.
// Flags: --name=value or --name value; see HelpText(). Errors are
// kInvalidArgument with a message ready to print after "wagate: ".
base::Result<Config> ParseConfig(const std::vector<std::string>& args, const Env& env);

// The WAGATE_* variables of the real process environment.
Env ProcessEnv();

// `wagate --help`.
std::string HelpText();

// mongodb://user:secret@host/db → mongodb://***@host/db, so that log lines
// and errors never print a database password.
std::string RedactUserInfo(std::string_view uri);

// "1048576", "512k", "512kb", "1m", "1mb" (case-insensitive; k = 1024).
// Exposed for tests.
std::optional<uint64_t> ParseByteSize(std::string_view text);

// "90s", "15m", "12h", "7d", or plain seconds; "0" is 0. In milliseconds.
// Exposed for tests.
std::optional<int64_t> ParseDurationMs(std::string_view text);

}  // namespace app
