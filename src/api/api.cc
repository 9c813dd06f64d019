#include "api/api.h"

#include "api/routes.h"

namespace api {

void AddRoutes(http::Router& router, const ApiDeps& deps) {
  internal::AddSystemRoutes(router, deps);
  internal::AddSessionRoutes(router, deps);
  internal::AddChatRoutes(router, deps);
  internal::AddMessageRoutes(router, deps);
}

const std::vector<RouteInfo>& Routes() {
  static const std::vector<RouteInfo> kRoutes = {
      {"GET", "/health", false},
      {"GET", "/metrics", true},
      {"GET", "/docs/openapi.json", true},
      {"POST", "/whatsapp/session/connect", true},
      {"GET", "/whatsapp/session/status", true},
      {"GET", "/whatsapp/session/qr", true},
      {"POST", "/whatsapp/session/disconnect", true},
      {"GET", "/whatsapp/chats", true},
      {"GET", "/whatsapp/messages/:jid", true},
      {"POST", "/whatsapp/messages/:jid/read", true},
      {"POST", "/whatsapp/message/send/text", true},
      {"POST", "/whatsapp/message/send/media", true},
      {"GET", "/whatsapp/media/:id", true},
  };
  return kRoutes;
}

}  // namespace api
