// wa-tool: command-line access to the protocol code for debugging and
// cross-checks. `wa-tool --help` lists the commands (see command.h).
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <tuple>
#include <vector>

#include "base/encoding.h"
#include "command.h"

namespace tool {

std::vector<Command>& Commands() {
  static std::vector<Command> commands;
  return commands;
}

int Fail(const base::Status& status) {
  std::fprintf(stderr, "wa-tool: %s\n", status.message().c_str());
  return kExitError;
}

int Usage(const Command& command) {
  std::fprintf(stderr, "wa-tool: usage: wa-tool %.*s %.*s %.*s\n",
               static_cast<int>(command.group.size()), command.group.data(),
               static_cast<int>(command.name.size()), command.name.data(),
               static_cast<int>(command.usage.size()), command.usage.data());
  return kExitUsage;
}

std::string ArgOrStdin(std::string_view arg) {
  if (arg != "-") return std::string(arg);
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

base::Result<std::string> HexArg(std::string_view arg) {
  std::string text = ArgOrStdin(arg);
  text.erase(std::remove_if(text.begin(), text.end(),
                            [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }),
             text.end());
  auto bytes = base::HexDecode(text);
  if (!bytes.ok()) return bytes.status().WithContext("input");
  return bytes;
}

}  // namespace tool

namespace {

void PrintHelp(std::FILE* out) {
  std::vector<tool::Command> commands = tool::Commands();
  std::sort(commands.begin(), commands.end(), [](const auto& a, const auto& b) {
    return std::tie(a.group, a.name) < std::tie(b.group, b.name);
  });
  std::fprintf(out,
               "wa-tool: WhatsApp protocol helper (binary nodes, frames, JIDs)\n\n"
               "usage: wa-tool <group> <command> [args]    an argument '-' reads stdin\n\n");
  for (const auto& c : commands) {
    std::string line =
        std::string(c.group) + " " + std::string(c.name) + " " + std::string(c.usage);
    std::fprintf(out, "  %-42s %.*s\n", line.c_str(), static_cast<int>(c.help.size()),
                 c.help.data());
  }
  std::fprintf(out,
               "\nOutput goes to stdout; errors are one line on stderr with exit code 1\n"
               "(bad input) or 2 (bad usage). Node JSON: docs/node-json.md.\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) {
    PrintHelp(stderr);
    return tool::kExitUsage;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PrintHelp(stdout);
    return tool::kExitOk;
  }
  if (args.size() < 2) {
    std::fprintf(stderr, "wa-tool: missing command after '%s' (see wa-tool --help)\n",
                 std::string(args[0]).c_str());
    return tool::kExitUsage;
  }
  for (const tool::Command& command : tool::Commands()) {
    if (command.group != args[0] || command.name != args[1]) continue;
    std::span<const std::string_view> rest(args.data() + 2, args.size() - 2);
    if (std::find(rest.begin(), rest.end(), "--help") != rest.end()) {
      std::printf("usage: wa-tool %s %s %s\n  %s\n", std::string(command.group).c_str(),
                  std::string(command.name).c_str(), std::string(command.usage).c_str(),
                  std::string(command.help).c_str());
      return tool::kExitOk;
    }
    return command.run(rest);
  }
  std::fprintf(stderr, "wa-tool: unknown command '%s %s' (see wa-tool --help)\n",
               std::string(args[0]).c_str(), std::string(args[1]).c_str());
  return tool::kExitUsage;
}
