// How a connection ended, from what the server sent [whatsapp-protocol.md
// §1.5] — the classification the reconnect policy runs on (client.h
// DisconnectKind). Sans-IO.
//   <stream:error code='515'/>                          → kRestartRequired
//   <stream:error code='401'><conflict type='device_removed'/>, <failure reason='401'>
//   (and 403 / 406: the device or account is gone)        → kLoggedOut
//   <stream:error><conflict type='replaced'/>             → kReplaced (440)
//   <xmlstreamend/>                                       → kTransient 428
//   anything else                                         → kTransient with its code
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string_view>

#include "base/status.h"
#include "wa/binary/node.h"
#include "wa/client/client.h"

namespace wa::client {

// The disconnect a stanza means, or nullopt when it does not end the stream
// (not a stream:error, failure, xmlstreamend or <ib><downgrade_webclient/>).
std::optional<Disconnect> ClassifyStanza(const binary::Node& node);

Disconnect ClassifyStreamError(const binary::Node& stream_error);
Disconnect ClassifyFailure(const binary::Node& failure);

// A handshake that failed on the server's certificate (kBadServer, never
// retried blindly) or for another reason (kTransient).
Disconnect ClassifyHandshakeError(const base::Status& status);

Disconnect Transient(std::string reason, int code = 0);

}  // namespace wa::client
