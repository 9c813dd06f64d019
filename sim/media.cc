#include "sim/media.h"

#include <boost/json.hpp>

#include "base/encoding.h"
#include "http/responses.h"

namespace sim {
namespace {
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
}  // namespace

void MediaStore::AddRoutes(http::Router& router) {
  router.Add(bhttp::verb::post, "/mms/:type/:token",
             [this](http::Context& ctx) -> asio::awaitable<http::Response> {
               const std::string& body = ctx.req.body();
               if (body.size() > limits_.max_blob || total_ + body.size() > limits_.max_total) {
                 co_return http::ErrorResponse(bhttp::status::payload_too_large,
                                               "media store is full");
               }
               const std::string type = ctx.params.Get("type").value_or("file");
               // Unguessable, like real direct paths; the type keeps logs readable.
               const std::string path =
                   "/v/wasim/" + type + "/" + base::Base64UrlEncode(random_.Bytes(18));
               total_ += body.size();
               blobs_[path] = body;
               co_return http::JsonResponse(
                   bhttp::status::ok,
                   boost::json::object{{"url", base_url_ + path}, {"direct_path", path}});
             });
  router.Add(bhttp::verb::get, "/v/wasim/:type/:id",
             [this](http::Context& ctx) -> asio::awaitable<http::Response> {
               auto it = blobs_.find(ctx.path);
               if (it == blobs_.end()) {
                 co_return http::ErrorResponse(bhttp::status::not_found, "no such media");
               }
               http::Response res{bhttp::status::ok, ctx.req.version()};
               res.set(bhttp::field::content_type, "application/octet-stream");
               res.body() = it->second;
               res.prepare_payload();
               co_return res;
             });
}

}  // namespace sim
