// The admin HTTP API of wasim (JSON; errors in the NestJS shape
// {statusCode, message, error}). Paths are stable; docs/wasim.md has examples.
//   GET    /admin/info
//   POST   /admin/accounts                         {phone, name}
//   GET    /admin/accounts
//   POST   /admin/accounts/:phone/scan             {qr}
//   POST   /admin/accounts/:phone/pairing-code     {code}
//   GET    /admin/accounts/:phone/devices
//   DELETE /admin/accounts/:phone/devices/:device
//   POST   /admin/faults                           {action, ms?, code?}
//   POST   /admin/accounts/:phone/send             {to, text} | {to, mediaType, data, …}
//   GET    /admin/accounts/:phone/received
//   GET    /admin/accounts/:phone/pending          (unacked stanzas per device)
//   POST   /admin/groups                           {subject, participants}
//   GET    /admin/groups
//   POST   /admin/groups/:jid/participants         {add?, remove?}
// Thread safety: handlers run on the simulator's io_context thread.
#pragma once

#include <functional>
#include <string>

#include "http/router.h"
#include "sim/simulator.h"

namespace sim {

struct AdminInfo {
  std::string ws_url;
  std::string admin_url;
  std::string media_url;
  std::string media_ca_pem;
};

struct AdminHooks {
  // Fault "restart": close every connection and re-listen on the same port.
  std::function<void()> restart_ws;
};

// REQUIRES: sim and info outlive the server (info may be filled in after
// this call, before the server starts).
void AddAdminRoutes(http::Router& router, Simulator& sim, const AdminInfo& info, AdminHooks hooks);

}  // namespace sim
