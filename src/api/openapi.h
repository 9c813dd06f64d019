// The OpenAPI 3 description of the API (GET /docs/openapi.json). The
// document is src/api/openapi.json, embedded at build time, so it can be
// read and reviewed as JSON; a test checks that it names every route that
// AddRoutes registers.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace api {

// The embedded document as written.
std::string_view OpenApiText();

// The document with `servers` set to `public_url` (when not empty).
boost::json::value OpenApiDocument(const std::string& public_url);

}  // namespace api
