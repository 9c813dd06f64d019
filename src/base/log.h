// Logging set-up: one spdlog default logger writing to stderr, as text or as
// JSON lines. Call SetupLogging once in main before any thread starts.
#pragma once

#include <string_view>

#include "base/status.h"

namespace base {

enum class LogFormat { kText, kJson };

// `level` is one of trace, debug, info, warn, error, critical, off.
Status SetupLogging(std::string_view level, LogFormat format);
bool IsValidLogLevel(std::string_view level);

// Escapes `s` for use inside a JSON string literal (no surrounding quotes).
std::string JsonEscape(std::string_view s);

}  // namespace base
