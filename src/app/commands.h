// The subcommands of the wagate binary. Each takes a parsed Config and
// returns the process exit code: 0 ok, 1 failure at run time (port taken,
// store unreachable, bad import line), 2 bad usage or settings.
// Logging must be set up (base::SetupLogging) before either runs.
#pragma once

#include "app/config.h"

namespace app {

// `wagate serve`: runs the server until SIGINT or SIGTERM.
int RunServe(const Config& config);

// `wagate import <file.jsonl|->`: loads JSON lines into the store.
int RunImport(const Config& config);

}  // namespace app
