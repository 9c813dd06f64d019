// wa-tool's subcommand table. Each area adds its commands in its own
// cmd_<area>.cc with a static CommandRegistrar (node/frame/jid live in
// cmd_node.cc; `keys gen` belongs in a cmd_keys.cc next to it), and
// tools/CMakeLists.txt picks up every cmd_*.cc.
//
// A command gets the words after `wa-tool <group> <name>` and returns the exit
// code: kExitOk, kExitError (the input or the operation failed: one line on
// stderr via Fail) or kExitUsage (bad arguments: one line via Usage).
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace tool {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

struct Command {
  std::string_view group;  // "node"
  std::string_view name;   // "decode"
  std::string_view usage;  // arguments, e.g. "<hex|-> [--xml]"
  std::string_view help;   // one line
  int (*run)(std::span<const std::string_view> args);
};

std::vector<Command>& Commands();

struct CommandRegistrar {
  CommandRegistrar(std::initializer_list<Command> commands) {
    for (const Command& command : commands) Commands().push_back(command);
  }
};

// Prints "wa-tool: <status message>" to stderr; returns kExitError.
int Fail(const base::Status& status);
// Prints "wa-tool: usage: wa-tool <group> <name> <usage>" to stderr; returns kExitUsage.
int Usage(const Command& command);
// The argument itself, or all of stdin when it is "-".
std::string ArgOrStdin(std::string_view arg);
// Hex with whitespace ignored (so pasted dumps work).
base::Result<std::string> HexArg(std::string_view arg);

}  // namespace tool
