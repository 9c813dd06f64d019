// The subcommands of the wagate binary. Each takes a parsed Config and
// returns the process exit code: 0 ok, 1 failure at run time (port taken,
// store unreachable, bad import line), 2 bad usage or settings.
// Logging must be set up (base::SetupLogging) before either runs.
#pragma once

#include <functional>

#include "app/config.h"

namespace service {
class EventBus;
}  // namespace service

namespace app {

// Test seams of RunServe. The wagate binary passes none: only the test-only
// wagate-testserver (tests/socketio) uses them.
struct ServeHooks {
  // Called once the server listens, on the main thread before it runs the
  // event loop, with the bound port and the event bus.
  std::function<void(uint16_t port, service::EventBus& bus)> started;
  // Called after the event loop ended, before the bus and store go away.
  std::function<void()> stopping;
};

// `wagate serve`: runs the server until SIGINT or SIGTERM.
int RunServe(const Config& config, const ServeHooks& hooks = {});

// `wagate import <file.jsonl|->`: loads JSON lines into the store.
int RunImport(const Config& config);

}  // namespace app
