// RequireAuth: the http glue of Guard (see routes.h).
#include <spdlog/spdlog.h>

#include "api/errors.h"
#include "api/routes.h"

namespace api::internal {
namespace bhttp = boost::beast::http;

namespace {

std::optional<std::string_view> Header(const http::Request& req, std::string_view name) {
  auto it = req.find(name);
  if (it == req.end()) return std::nullopt;
  return std::string_view(it->value());
}

std::optional<std::string_view> Header(const http::Request& req, bhttp::field field) {
  auto it = req.find(field);
  if (it == req.end()) return std::nullopt;
  return std::string_view(it->value());
}

}  // namespace

http::Handler RequireAuth(const Guard& guard, http::Handler inner) {
  return [&guard,
          inner = std::move(inner)](http::Context& ctx) -> boost::asio::awaitable<http::Response> {
    base::Status admitted =
        guard.Check(Header(ctx.req, "x-api-key"), Header(ctx.req, bhttp::field::authorization));
    if (!admitted.ok()) {
      spdlog::debug("401 {} {} from {} ({}): {}", std::string(ctx.req.method_string()), ctx.route,
                    ctx.remote, ctx.request_id, admitted.message());
      co_return Unauthorized();
    }
    co_return co_await inner(ctx);
  };
}

}  // namespace api::internal
