// `wagate import <file.jsonl|->`: see app/import.h for the format.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

#include "app/commands.h"
#include "app/import.h"
#include "app/store_factory.h"

namespace app {

int RunImport(const Config& config) {
  if (config.positional.size() != 1) {
    std::fprintf(stderr,
                 "wagate import: expected one input file (or - for standard input), got %zu "
                 "arguments (see wagate --help)\n",
                 config.positional.size());
    return 2;
  }
  const std::string& source = config.positional.front();
  ImportParse parsed;
  if (source == "-") {
    parsed = ParseImport(std::cin);
  } else {
    std::ifstream in(source);
    if (!in) {
      std::fprintf(stderr, "wagate import: cannot open %s: %s\n", source.c_str(),
                   std::strerror(errno));
      return 1;
    }
    parsed = ParseImport(in);
  }
  if (!parsed.errors.empty()) {
    for (const std::string& e : parsed.errors) {
      std::fprintf(stderr, "wagate import: %s: %s\n", source.c_str(), e.c_str());
    }
    std::fprintf(stderr, "wagate import: nothing imported\n");
    return 1;
  }

  auto opened = OpenStore(config);
  if (!opened.ok()) {
    std::fprintf(stderr, "wagate import: open store (%s): %s\n", DescribeStore(config).c_str(),
                 opened.status().message().c_str());
    return 1;
  }
  std::unique_ptr<store::Store> store = std::move(opened).value();
  auto counts = ApplyImport(*store, config.instance, parsed.items);
  store->Close();
  if (!counts.ok()) {
    std::fprintf(stderr, "wagate import: %s: %s\n", source.c_str(),
                 counts.status().message().c_str());
    return 1;
  }
  std::printf("imported %d messages (%d new) and %d chats into %s, instance %s\n", counts->messages,
              counts->inserted, counts->chats, DescribeStore(config).c_str(),
              config.instance.c_str());
  return 0;
}

}  // namespace app
