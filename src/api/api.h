// The REST API of api.md, registered on an http::Router: the routes, the
// auth guard in front of every route but GET /health, input validation, and
// the JSON shapes. Route handlers never block: store calls go through
// http::Offload on the service's blocking pool.
//
// Ownership: AddRoutes copies `deps`, whose references must outlive the
// Router (and so the Server using it).
#pragma once

#include <string>
#include <vector>

#include "api/guard.h"
#include "http/metrics.h"
#include "http/router.h"
#include "service/whatsapp_service.h"

namespace api {

struct ApiDeps {
  service::WhatsappService& service;
  const Guard& guard;
  const http::Metrics& metrics;
  // The base URL clients reach this server at (WAGATE_PUBLIC_URL, else the
  // listen address); named as the server in the OpenAPI description.
  std::string public_url;
};

void AddRoutes(http::Router& router, const ApiDeps& deps);

// Every (method, path pattern) AddRoutes registers, for tests and docs.
struct RouteInfo {
  const char* method;
  const char* pattern;
  bool needs_auth;
};
const std::vector<RouteInfo>& Routes();

}  // namespace api
