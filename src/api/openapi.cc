#include "api/openapi.h"

#include <boost/json/parse.hpp>

namespace api {

// Defined in the file generated from openapi.json (see CMakeLists.txt).
extern const char kOpenApiJson[];

std::string_view OpenApiText() { return kOpenApiJson; }

boost::json::value OpenApiDocument(const std::string& public_url) {
  // Parsed per request: it is small, served rarely, and this keeps no
  // shared mutable state. The build-time test proves it parses.
  boost::json::value doc = boost::json::parse(OpenApiText());
  if (!public_url.empty()) {
    boost::json::object server;
    server["url"] = public_url;
    doc.as_object()["servers"] = boost::json::array{std::move(server)};
  }
  return doc;
}

}  // namespace api
