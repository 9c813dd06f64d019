#include "http/responses.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace http {
namespace bhttp = boost::beast::http;

namespace {

Response ErrorWithMessage(bhttp::status status, boost::json::value message, bool keep_alive) {
  boost::json::object body;
  body["statusCode"] = static_cast<int>(status);
  body["message"] = std::move(message);
  body["error"] = ReasonPhrase(status);
  return JsonResponse(status, body, keep_alive);
}

}  // namespace

std::string_view ReasonPhrase(bhttp::status status) { return bhttp::obsolete_reason(status); }

Response JsonResponse(bhttp::status status, const boost::json::value& body, bool keep_alive) {
  Response res{status, 11};
  res.set(bhttp::field::content_type, kJsonContentType);
  res.keep_alive(keep_alive);
  res.body() = boost::json::serialize(body);
  res.prepare_payload();
  return res;
}

Response ErrorResponse(bhttp::status status, std::string_view message, bool keep_alive) {
  return ErrorWithMessage(status, boost::json::string(message), keep_alive);
}

Response ErrorResponse(bhttp::status status, const std::vector<std::string>& messages,
                       bool keep_alive) {
  boost::json::array list;
  list.reserve(messages.size());
  for (const std::string& m : messages) list.emplace_back(m);
  return ErrorWithMessage(status, std::move(list), keep_alive);
}

Response InternalErrorResponse(bool keep_alive) {
  boost::json::object body;
  body["statusCode"] = 500;
  body["message"] = "Internal server error";
  return JsonResponse(bhttp::status::internal_server_error, body, keep_alive);
}

}  // namespace http
