// Running a helper program (ffmpeg for video thumbnails) the careful way:
// posix_spawn with an argument vector — never a shell, so nothing in a path
// or URL is ever interpreted — stdin from /dev/null, an empty environment
// (the child sees none of our secrets), a deadline and a cap on what it may
// write. Past either it is killed with SIGKILL and reaped.
// Thread safety: RunProgram may be called from any thread; it is BLOCKING.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace base {

struct RunOptions {
  std::chrono::milliseconds timeout{10'000};
  size_t max_stdout = 1 << 20;
  size_t max_stderr = 4096;  // more is read and dropped (kept: the first bytes)
};

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

// BLOCKING. `argv[0]` is the program's path (no $PATH search). Errors:
// kInvalidArgument for an empty argv, kNotFound when it cannot be started,
// kDeadlineExceeded past the timeout, kResourceExhausted when stdout passes
// max_stdout. A program that ran and failed is ok with exit_code != 0.
Result<RunResult> RunProgram(const std::vector<std::string>& argv, const RunOptions& options);

// The path of the executable `name` in the directories of $PATH, if any.
// A `name` with a slash is checked as is.
std::optional<std::string> FindExecutable(std::string_view name);

}  // namespace base
