// Small IQs of a live connection [whatsapp-protocol.md §1.4, §7.2, §7.6]:
//   ping     <iq xmlns='w:p' type='get'><ping/></iq>           (keepalive)
//   passive  <iq xmlns='passive' type='set'><active/></iq>     (after <success>)
//   logout   <iq xmlns='md' type='set'><remove-companion-device jid reason/></iq>
// and the recognition of the server's own ping (urn:xmpp:ping), which is
// answered with a plain result.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "wa/binary/node.h"
#include "wa/types/jid.h"

namespace wa::iq {

binary::Node BuildPing();
binary::Node BuildPassiveActive();
binary::Node BuildRemoveCompanionDevice(const Jid& me, std::string_view reason = "user_initiated");

// <ib><unified_session id='N'/></ib>, sent once the connection is open
// (§7.2 step 5): N = (server time + 3 days) mod 1 week, in milliseconds.
binary::Node BuildUnifiedSession(int64_t server_now_ms);

// <ib><offline_batch count='N'/></ib>: asks for queued stanzas after the
// server's <offline_preview> (§7.3).
binary::Node BuildOfflineBatch(int count = 100);

// True for <iq type='get' xmlns='urn:xmpp:ping'> or <iq type='get'
// xmlns='w:p'><ping/></iq> from the server (with an id to answer).
bool IsServerPing(const binary::Node& stanza);

}  // namespace wa::iq
