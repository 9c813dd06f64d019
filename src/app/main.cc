// wagate: the WhatsApp REST API server. Dispatches the subcommand; settings
// come from flags and WAGATE_* variables (app/config.h).
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/config.h"
#include "base/log.h"

int main(int argc, char** argv) {
  // glibc gives threads their own malloc arenas (up to 8 per core), and each
  // keeps what was freed in it: on an idle linked server that was ~0.8 MiB
  // of resident memory over four arenas. Two measured the same as one and
  // keep the event loop and the blocking pool off each other's lock (small
  // blocks come from the per-thread caches anyway). MALLOC_ARENA_MAX still
  // decides when set.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
  // Under load glibc's own trimming moved the top of the heap up and down
  // with brk on every burst (~3 % of the CPU of a send); the heap trimmer
  // (app/heap_trimmer.h) gives memory back once the heap is quiet instead.
  // Fixed thresholds, since setting one stops glibc's dynamic adjustment.
  if (std::getenv("MALLOC_TRIM_THRESHOLD_") == nullptr) {
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    mallopt(M_TRIM_THRESHOLD, 4 << 20);
    mallopt(M_TOP_PAD, 512 << 10);
  }
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string command = "serve";
  if (!args.empty()) {
    const std::string& first = args.front();
    if (first == "serve" || first == "import") {
      command = first;
      args.erase(args.begin());
    } else if (first == "--version" || first == "-V" || first == "version") {
      std::printf("wagate %s\n", WAGATE_VERSION);
      return 0;
    } else if (first == "help") {
      std::fputs(app::HelpText().c_str(), stdout);
      return 0;
    } else if (!first.starts_with("-")) {
      std::fprintf(stderr, "wagate: unknown command \"%s\" (see wagate --help)\n", first.c_str());
      return 2;
    }
  }
  for (const std::string& a : args) {
    if (a == "--") break;
    if (a == "--help" || a == "-h") {
      std::fputs(app::HelpText().c_str(), stdout);
      return 0;
    }
  }

  auto config = app::ParseConfig(args, app::ProcessEnv());
  if (!config.ok()) {
    std::fprintf(stderr, "wagate: %s\n", config.status().message().c_str());
    return 2;
  }
  base::Status logging = base::SetupLogging(config->log_level, config->log_format);
  if (!logging.ok()) {
    std::fprintf(stderr, "wagate: %s\n", logging.message().c_str());
    return 2;
  }
  try {
    return command == "import" ? app::RunImport(*config) : app::RunServe(*config);
  } catch (const std::exception& e) {
    // Only a bug gets here: everything expected is a Status.
    std::fprintf(stderr, "wagate: fatal: %s\n", e.what());
    return 1;
  }
}
