#include <iostream>
#include <string>

#include "base/encoding.h"
#include "peer.h"

namespace interop {

std::map<std::string, Op>& Registry() {
  static std::map<std::string, Op> ops;
  return ops;
}

base::Result<std::string> StringArg(const boost::json::object& args, const char* name) {
  auto it = args.find(name);
  if (it == args.end() || !it->value().is_string()) {
    return base::InvalidArgument(std::string("missing string argument '") + name + "'");
  }
  return std::string(it->value().as_string());
}

base::Result<std::string> HexArg(const boost::json::object& args, const char* name) {
  WAGATE_ASSIGN_OR_RETURN(std::string hex, StringArg(args, name));
  auto bytes = base::HexDecode(hex);
  if (!bytes.ok()) return bytes.status().WithContext(std::string("argument '") + name + "'");
  return bytes;
}

}  // namespace interop

namespace {

boost::json::object Handle(const std::string& line) {
  boost::json::object out;
  boost::system::error_code ec;
  boost::json::value req = boost::json::parse(line, ec);
  if (ec || !req.is_object()) {
    out["ok"] = false;
    out["error"] = "request is not a JSON object";
    return out;
  }
  const auto& obj = req.as_object();
  if (auto it = obj.find("id"); it != obj.end()) out["id"] = it->value();
  auto op = obj.find("op");
  if (op == obj.end() || !op->value().is_string()) {
    out["ok"] = false;
    out["error"] = "missing op";
    return out;
  }
  auto& registry = interop::Registry();
  auto fn = registry.find(std::string(op->value().as_string()));
  if (fn == registry.end()) {
    out["ok"] = false;
    out["error"] = "unknown op " + std::string(op->value().as_string());
    return out;
  }
  static const boost::json::object kEmpty;
  auto args_it = obj.find("args");
  const boost::json::object& args =
      args_it != obj.end() && args_it->value().is_object() ? args_it->value().as_object() : kEmpty;
  auto result = fn->second(args);
  if (!result.ok()) {
    out["ok"] = false;
    out["error"] = result.status().ToString();
  } else {
    out["ok"] = true;
    out["result"] = std::move(result).value();
  }
  return out;
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    std::cout << boost::json::serialize(Handle(line)) << '\n' << std::flush;
  }
  return 0;
}
