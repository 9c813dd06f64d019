// wa_peer: a line-oriented JSON server over stdin/stdout that exposes our
// protocol code to the node interop tests (tests/interop/*.test.mjs), so the
// real Baileys can check our bytes and we can check Baileys' bytes.
//
// Request:  {"id": 1, "op": "node.decode", "args": {...}}
// Response: {"id": 1, "ok": true, "result": {...}} or {"id": 1, "ok": false, "error": "..."}
//
// Each area registers its ops in its own peer_<area>.cc with a static
// PeerOps registrar; all are linked straight into the one executable.
#pragma once

#include <boost/json.hpp>

#include <functional>
#include <map>
#include <string>

#include "base/status.h"

namespace interop {

using Op = std::function<base::Result<boost::json::value>(const boost::json::object& args)>;

std::map<std::string, Op>& Registry();

struct PeerOps {
  PeerOps(std::initializer_list<std::pair<const char*, Op>> ops) {
    for (auto& [name, op] : ops) Registry()[name] = op;
  }
};

// Helpers for ops: a required string / hex-bytes argument, or a clear error.
base::Result<std::string> StringArg(const boost::json::object& args, const char* name);
base::Result<std::string> HexArg(const boost::json::object& args, const char* name);

}  // namespace interop
