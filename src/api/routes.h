// Internal to src/api: one registration function per group of routes (one
// file each), and the small helpers every handler uses.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "api/api.h"
#include "http/handler.h"

namespace api::internal {

void AddSystemRoutes(http::Router& router, const ApiDeps& deps);
void AddSessionRoutes(http::Router& router, const ApiDeps& deps);
void AddChatRoutes(http::Router& router, const ApiDeps& deps);
void AddMessageRoutes(http::Router& router, const ApiDeps& deps);

// Wraps `inner` so that it runs only for requests the guard admits; others
// get 401 (the reason is logged at debug, never sent).
http::Handler RequireAuth(const Guard& guard, http::Handler inner);

inline std::optional<std::string_view> OptView(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return std::string_view(*s);
}

}  // namespace api::internal
