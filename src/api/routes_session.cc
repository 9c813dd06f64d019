// Session: POST /whatsapp/session/connect, GET /whatsapp/session/status,
// GET /whatsapp/session/qr, POST /whatsapp/session/disconnect.
#include <boost/json/object.hpp>

#include "api/dto.h"
#include "api/errors.h"
#include "api/json_body.h"
#include "api/routes.h"
#include "api/validate.h"
#include "base/clock.h"
#include "http/offload.h"
#include "http/responses.h"
#include "service/qr_image.h"

namespace api::internal {
namespace bhttp = boost::beast::http;
namespace json = boost::json;

namespace {

// The answer of connect and qr (api.md "Session"); only the fields of the
// state reached are present.
json::object ConnectResultToJson(const service::ConnectResult& r) {
  json::object o;
  o["status"] = r.status;
  if (r.status == "open") o["me"] = LinkedAccountToJson(r.me);
  if (!r.qr.empty()) {
    o["qr"] = r.qr;
    o["qrImage"] = r.qr_image;
  }
  if (!r.pairing_code.empty()) o["pairingCode"] = r.pairing_code;
  if (r.expires_at_ms != 0) o["expiresAt"] = base::FormatIso8601(r.expires_at_ms);
  return o;
}

// GET /session/qr answers the picture itself when the client asks for a PNG
// (an <img src> pointing here, or `Accept: image/png`) rather than JSON.
bool WantsPng(const http::Request& req) {
  auto accept = req.find(bhttp::field::accept);
  if (accept == req.end()) return false;
  const std::string_view value = accept->value();
  return value.find("image/png") != std::string_view::npos &&
         value.find("application/json") == std::string_view::npos;
}

}  // namespace

void AddSessionRoutes(http::Router& router, const ApiDeps& deps) {
  service::WhatsappService& service = deps.service;
  const Guard& guard = deps.guard;

  router.Add(
      bhttp::verb::get, "/whatsapp/session/status",
      RequireAuth(guard, [&service](http::Context&) -> boost::asio::awaitable<http::Response> {
        auto state = co_await http::Offload(service.blocking_pool(),
                                            [&] { return service.SessionStatus(); });
        if (!state.ok()) co_return ErrorFromStatus(state.status());
        co_return http::JsonResponse(bhttp::status::ok, SessionStateToJson(*state));
      }));

  router.Add(
      bhttp::verb::post, "/whatsapp/session/connect",
      RequireAuth(guard, [&service](http::Context& ctx) -> boost::asio::awaitable<http::Response> {
        JsonBody read = ReadJsonBody(ctx.req);
        if (read.error) co_return std::move(*read.error);
        service::ConnectRequest request;
        if (read.object) {
          if (const json::value* phone = read.object->if_contains("phoneNumber");
              phone != nullptr && !phone->is_null()) {
            if (!phone->is_string()) {
              co_return BadRequest(
                  {"phoneNumber must be a phone number with country code (7-15 digits)"});
            }
            auto digits =
                NormalizePhoneNumber(std::string_view(phone->get_string()), "phoneNumber");
            if (!digits.ok()) co_return ErrorFromStatus(digits.status());
            request.phone_number = *digits;
          }
        }
        auto result = co_await http::Offload(service.blocking_pool(),
                                             [&] { return service.Connect(request); });
        if (!result.ok()) co_return ErrorFromStatus(result.status());
        co_return http::JsonResponse(bhttp::status::ok, ConnectResultToJson(*result));
      }));

  router.Add(
      bhttp::verb::get, "/whatsapp/session/qr",
      RequireAuth(guard, [&service](http::Context& ctx) -> boost::asio::awaitable<http::Response> {
        auto result = service.CurrentQr();
        if (!result.ok()) co_return ErrorFromStatus(result.status());
        if (WantsPng(ctx.req)) {
          if (result->qr.empty()) {
            co_return ErrorFromStatus(
                base::NotFound("no QR code to show: the session is " + result->status));
          }
          auto png = service::QrPng(result->qr);
          if (!png.ok()) co_return ErrorFromStatus(png.status());
          http::Response res{bhttp::status::ok, ctx.req.version()};
          res.set(bhttp::field::content_type, "image/png");
          res.set(bhttp::field::cache_control, "no-store");
          res.body() = std::move(*png);
          res.prepare_payload();
          co_return res;
        }
        co_return http::JsonResponse(bhttp::status::ok, ConnectResultToJson(*result));
      }));

  router.Add(
      bhttp::verb::post, "/whatsapp/session/disconnect",
      RequireAuth(guard, [&service](http::Context& ctx) -> boost::asio::awaitable<http::Response> {
        JsonBody read = ReadJsonBody(ctx.req);
        if (read.error) co_return std::move(*read.error);
        bool logout = true;  // api.md: logging out is the default
        if (read.object) {
          if (const json::value* v = read.object->if_contains("logout");
              v != nullptr && !v->is_null()) {
            if (!v->is_bool()) co_return BadRequest({"logout must be a boolean value"});
            logout = v->get_bool();
          }
        }
        auto state = co_await http::Offload(service.blocking_pool(),
                                            [&] { return service.Disconnect(logout); });
        if (!state.ok()) co_return ErrorFromStatus(state.status());
        json::object out;
        out["status"] = state->status;
        co_return http::JsonResponse(bhttp::status::ok, out);
      }));
}

}  // namespace api::internal
