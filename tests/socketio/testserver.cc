// wagate-testserver: the composition of `wagate serve` (app::RunServe, same
// flags and WAGATE_* variables) plus a command channel on stdin, so the node
// tests and the benchmark can publish events before the WhatsApp client
// exists. Test-only: built from tests/, never installed, and the wagate
// binary has no such channel (and no hidden HTTP route).
//
// stdin, one command a line:
//   publish <event-name> <JSON object>   → stdout "PUBLISHED <seq>"
//   publish-now <event-name> <JSON>      → same, with "sentAt" (epoch ms, as
//                                          a float with µs) added to the payload
//   burst <n> <event-name> <JSON>        → n publishes, then "BURST <last seq>"
// stdout "READY <port>" once the server listens.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/commands.h"
#include "app/config.h"
#include "base/log.h"
#include "service/event_bus.h"

namespace {

std::mutex g_mu;
service::EventBus* g_bus = nullptr;  // guarded by g_mu; null once stopping

void Say(const std::string& line) {
  std::fputs((line + "\n").c_str(), stdout);
  std::fflush(stdout);
}

std::string WithSentAt(const std::string& json) {
  const double now_ms =
      std::chrono::duration<double, std::milli>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const size_t close = json.rfind('}');
  if (close == std::string::npos) return json;
  std::string out = json.substr(0, close);
  const bool empty = out.find_first_not_of(" \t{") == std::string::npos;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s\"sentAt\":%.3f}", empty ? "" : ",", now_ms);
  return out + buf;
}

int64_t Publish(const std::string& name, const std::string& json) {
  std::lock_guard lock(g_mu);
  if (g_bus == nullptr) return -1;
  auto e = g_bus->Publish(name, json);
  if (!e.ok()) {
    Say("ERROR " + e.status().ToString());
    return -1;
  }
  return (*e)->seq;
}

void CommandLoop() {
  std::string line;
  while (std::getline(std::cin, line)) {
    const size_t a = line.find(' ');
    const std::string command = line.substr(0, a);
    std::string rest = a == std::string::npos ? "" : line.substr(a + 1);
    if (command == "burst") {
      const size_t b = rest.find(' ');
      const int n = std::stoi(rest.substr(0, b));
      rest = rest.substr(b + 1);
      const size_t c = rest.find(' ');
      const std::string name = rest.substr(0, c);
      const std::string json = rest.substr(c + 1);
      int64_t seq = -1;
      for (int i = 0; i < n; ++i) seq = Publish(name, json);
      Say("BURST " + std::to_string(seq));
      continue;
    }
    if (command != "publish" && command != "publish-now") {
      if (!command.empty()) Say("ERROR unknown command " + command);
      continue;
    }
    const size_t b = rest.find(' ');
    const std::string name = rest.substr(0, b);
    std::string json = b == std::string::npos ? "{}" : rest.substr(b + 1);
    if (command == "publish-now") json = WithSentAt(json);
    const int64_t seq = Publish(name, json);
    if (seq >= 0) Say("PUBLISHED " + std::to_string(seq));
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto config = app::ParseConfig(args, app::ProcessEnv());
  if (!config.ok()) {
    std::fprintf(stderr, "wagate-testserver: %s\n", config.status().message().c_str());
    return 2;
  }
  if (auto s = base::SetupLogging(config->log_level, config->log_format); !s.ok()) {
    std::fprintf(stderr, "wagate-testserver: %s\n", s.message().c_str());
    return 2;
  }
  app::ServeHooks hooks;
  hooks.started = [](uint16_t port, service::EventBus& bus) {
    {
      std::lock_guard lock(g_mu);
      g_bus = &bus;
    }
    std::thread(CommandLoop).detach();
    Say("READY " + std::to_string(port));
  };
  hooks.stopping = [] {
    std::lock_guard lock(g_mu);
    g_bus = nullptr;
  };
  return app::RunServe(*config, hooks);
}
