// Where an incoming stanza goes, decided from the stanza alone (sans-IO);
// the client first matches replies to its own queries by id, then routes
// everything else with RouteStanza [whatsapp-protocol.md §1.5, §5, §6, §7].
// Thread safety: pure function.
#pragma once

#include "wa/binary/node.h"

namespace wa::client {

enum class Route {
  kEnd,             // stream:error, failure, xmlstreamend, downgrade: see disconnect.h
  kServerPing,      // <iq type='get' xmlns='urn:xmpp:ping'>: answer with a result
  kPairDevice,      // <iq type='set'><pair-device>: QR refs (§5.1)
  kPairSuccess,     // <iq type='set'><pair-success> (§5.3)
  kStrayReply,      // an iq result/error nobody waits for (timed out, or a ping's)
  kSuccess,         // <success>: logged in (§7.1)
  kPrimaryHello,    // pairing-code notification from the phone (§6.3)
  kPreKeyCount,     // <notification type='encrypt' from='@s.whatsapp.net'><count/> (§7.5)
  kEdgeRouting,     // <ib><edge_routing>: new routing info for the intro (§1.2)
  kOfflinePreview,  // <ib><offline_preview>: ask for the batch, then the observer (§7.3)
  kObserver,        // everything else: ClientObserver::OnStanza
};

Route RouteStanza(const binary::Node& node);

}  // namespace wa::client
