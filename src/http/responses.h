// Building JSON responses, including errors in the NestJS shape that clients
// of the seed design parse:
//   {"statusCode":404,"message":"Cannot GET /nope","error":"Not Found"}
// `message` is a string or a list of strings; `error` is the reason phrase.
// Pure functions; thread-safe.
#pragma once

#include <boost/beast/http/status.hpp>
#include <boost/json/fwd.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "http/handler.h"

namespace http {

inline constexpr std::string_view kJsonContentType = "application/json; charset=utf-8";

// `body` serialized, with Content-Type kJsonContentType.
Response JsonResponse(boost::beast::http::status status, const boost::json::value& body,
                      bool keep_alive = true);

// {"statusCode":N,"message":"…","error":"<reason phrase>"}.
Response ErrorResponse(boost::beast::http::status status, std::string_view message,
                       bool keep_alive = true);
// {"statusCode":N,"message":["…","…"],"error":"<reason phrase>"}, the shape of
// NestJS validation errors.
Response ErrorResponse(boost::beast::http::status status, const std::vector<std::string>& messages,
                       bool keep_alive = true);

// {"statusCode":500,"message":"Internal server error"}: what NestJS answers
// for an unexpected exception (no "error" field, and no detail for the client).
Response InternalErrorResponse(bool keep_alive = true);

// "Not Found", "Payload Too Large", … (the HTTP reason phrase of `status`).
std::string_view ReasonPhrase(boost::beast::http::status status);

}  // namespace http
