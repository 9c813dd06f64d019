// The WebSocket side of wasim: `/ws/chat` on the generic HTTP server's upgrade
// hand-off. Per connection one reader (socket → SimConnection::OnBytes) and
// one writer (SimConnection outbox → socket, one write in flight, fault delay
// applied, closes after stream errors). While the "refuse" fault is active,
// or at the connection limit, the TCP connection is cut without an answer
// (see ServeChat for why); a plain HTTP request gets 503. A connection that
// has not finished the Noise handshake or pairing within
// SimLimits::{handshake,registration}_timeout_ms is closed.
// Thread safety: everything runs on the simulator's io_context thread.
#pragma once

#include "http/router.h"
#include "sim/simulator.h"

namespace sim {

inline constexpr std::string_view kChatPath = "/ws/chat";

// REQUIRES: `sim` outlives the router's server.
void AddChatEndpoint(http::Router& router, Simulator& sim);

}  // namespace sim
