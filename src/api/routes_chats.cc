// GET /whatsapp/chats?limit&offset — chats, most recent activity first.
#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <limits>

#include "api/dto.h"
#include "api/errors.h"
#include "api/routes.h"
#include "api/validate.h"
#include "http/offload.h"
#include "http/responses.h"

namespace api::internal {
namespace bhttp = boost::beast::http;

namespace {

constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 500;

}  // namespace

void AddChatRoutes(http::Router& router, const ApiDeps& deps) {
  service::WhatsappService& service = deps.service;
  router.Add(
      bhttp::verb::get, "/whatsapp/chats",
      RequireAuth(
          deps.guard, [&service](http::Context& ctx) -> boost::asio::awaitable<http::Response> {
            auto limit = ParseIntParam("limit", OptView(ctx.query.Get("limit")), kDefaultLimit, 1,
                                       kMaxLimit);
            auto offset = ParseIntParam("offset", OptView(ctx.query.Get("offset")), 0, 0,
                                        std::numeric_limits<int>::max());
            std::vector<std::string> problems;
            if (!limit.ok()) problems.push_back(limit.status().message());
            if (!offset.ok()) problems.push_back(offset.status().message());
            if (!problems.empty()) co_return BadRequest(problems);

            auto chats = co_await http::Offload(service.blocking_pool(),
                                                [&] { return service.ListChats(*limit, *offset); });
            if (!chats.ok()) co_return ErrorFromStatus(chats.status());
            boost::json::monotonic_resource arena(32 * 1024);
            boost::json::storage_ptr sp(&arena);
            boost::json::array out(sp);
            out.reserve(chats->size());
            for (const store::ChatRecord& chat : *chats) out.push_back(ChatToJson(chat, sp));
            co_return http::JsonResponse(bhttp::status::ok, boost::json::value(std::move(out)));
          }));
}

}  // namespace api::internal
