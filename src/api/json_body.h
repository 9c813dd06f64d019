// Reading the JSON body of a request, with the answers a NestJS service
// gives: 415 when a body comes with another Content-Type than
// application/json, 400 "Unexpected token … in JSON at position N" when it
// does not parse, 400 when it is not an object. An empty body is "no body"
// (routes such as POST /whatsapp/session/connect take one optionally).
// The size limit (413) is enforced by the http server before this runs.
// Thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <optional>

#include "http/handler.h"

namespace api {

struct JsonBody {
  std::optional<boost::json::object> object;  // nullopt: no body was sent
  std::optional<http::Response> error;        // set: answer this instead
};

JsonBody ReadJsonBody(const http::Request& req);

}  // namespace api
