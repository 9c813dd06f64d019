// Our one-time pre-keys on the server [whatsapp-protocol.md §7.2 step 2,
// §7.5 encrypt count]: how many to upload for a server count, and one batch
// ready to persist and upload. Sans-IO.
//
// Order the client keeps (persist, then use): write the batch's key records
// (KeyStore, type "pre-key", libsignal records as wa/signal reads them) and
// the creds with next_prekey_id advanced; then upload; then, on the server's
// result, the creds with first_unuploaded_prekey_id = next_prekey_id. A crash
// in between leaves stored keys that were never uploaded: harmless, the next
// batch starts after them.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <vector>

#include "base/random.h"
#include "base/status.h"
#include "store/records.h"
#include "wa/binary/node.h"
#include "wa/client/creds.h"

namespace wa::client {

inline constexpr uint32_t kInitialPreKeyCount = 812;  // Baileys INITIAL_PREKEY_COUNT
inline constexpr int kMinPreKeyCount = 5;             // upload when the server holds ≤ this
inline constexpr uint32_t kRefillPreKeyCount = 50;    // whatsmeow's refill size

// 812 when the server holds none, kRefillPreKeyCount when it holds ≤ 5, else 0.
uint32_t PreKeysToUpload(int server_count);

struct PreKeyBatch {
  std::vector<store::KeyWrite> writes;  // "pre-key" records (+ the "signed-pre-key")
  Creds creds;                          // next_prekey_id advanced
  binary::Node upload;                  // the upload iq (no id)
};
// `count` new keys from creds.next_prekey_id. kResourceExhausted when the
// 24-bit id space would overflow.
base::Result<PreKeyBatch> NewPreKeyBatch(const Creds& creds, uint32_t count, base::Random& random);

}  // namespace wa::client
