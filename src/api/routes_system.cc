// GET /health (open), GET /metrics, GET /docs/openapi.json.
#include <spdlog/spdlog.h>

#include <boost/json/object.hpp>

#include "api/openapi.h"
#include "api/routes.h"
#include "http/offload.h"
#include "http/responses.h"

namespace api::internal {
namespace bhttp = boost::beast::http;

void AddSystemRoutes(http::Router& router, const ApiDeps& deps) {
  service::WhatsappService& service = deps.service;

  // Open, so that load balancers and orchestrators can probe it. It tells
  // whether the store answers; WhatsApp being closed is not unhealthy.
  router.Add(bhttp::verb::get, "/health",
             [&service](http::Context&) -> boost::asio::awaitable<http::Response> {
               base::Status store = co_await http::Offload(
                   service.blocking_pool(), [&service] { return service.PingStore(); });
               boost::json::object body;
               body["status"] = store.ok() ? "ok" : "error";
               body["whatsapp"] = service.ConnectionStatus();
               body["store"] = store.ok() ? "ok" : "error";
               if (!store.ok()) spdlog::warn("health: store ping failed: {}", store.ToString());
               co_return http::JsonResponse(
                   store.ok() ? bhttp::status::ok : bhttp::status::service_unavailable, body);
             });

  const http::Metrics& metrics = deps.metrics;
  router.Add(
      bhttp::verb::get, "/metrics",
      RequireAuth(deps.guard, [&metrics](http::Context&) -> boost::asio::awaitable<http::Response> {
        http::Response res{bhttp::status::ok, 11};
        res.set(bhttp::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        res.body() = metrics.RenderPrometheus();
        res.prepare_payload();
        co_return res;
      }));

  router.Add(bhttp::verb::get, "/docs/openapi.json",
             RequireAuth(
                 deps.guard,
                 [url = deps.public_url](http::Context&) -> boost::asio::awaitable<http::Response> {
                   co_return http::JsonResponse(bhttp::status::ok, OpenApiDocument(url));
                 }));
}

}  // namespace api::internal
