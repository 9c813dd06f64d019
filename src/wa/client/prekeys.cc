#include "wa/client/prekeys.h"

#include "wa/iq/prekeys.h"
#include "wa/signal/context.h"
#include "wa/signal/keygen.h"
#include "wa/signal/memory_kv_store.h"
#include "wa/signal/stores.h"

namespace wa::client {

uint32_t PreKeysToUpload(int server_count) {
  if (server_count <= 0) return kInitialPreKeyCount;
  if (server_count <= kMinPreKeyCount) return kRefillPreKeyCount;
  return 0;
}

base::Result<PreKeyBatch> NewPreKeyBatch(const Creds& creds, uint32_t count, base::Random& random) {
  if (count == 0) return base::InvalidArgument("pre-key batch: count 0");
  if (creds.next_prekey_id == 0 ||
      uint64_t{creds.next_prekey_id} + count - 1 > signal::kMaxPreKeyId) {
    return base::ResourceExhausted("pre-key batch: pre-key ids used up");
  }
  WAGATE_ASSIGN_OR_RETURN(std::vector<signal::PreKey> keys,
                          signal::GeneratePreKeys(creds.next_prekey_id, count, random));

  // libsignal's record format comes from wa/signal: let its stores write
  // the records into memory, then hand them to the KeyStore as they are.
  WAGATE_ASSIGN_OR_RETURN(std::unique_ptr<signal::Context> context,
                          signal::Context::Create(random));
  signal::MemoryKeyValueStore memory;
  WAGATE_ASSIGN_OR_RETURN(std::unique_ptr<signal::Stores> stores,
                          signal::Stores::Create(*context, memory,
                                                 {.identity = creds.identity,
                                                  .registration_id = creds.registration_id}));
  WAGATE_RETURN_IF_ERROR(stores->PutPreKeys(keys));
  WAGATE_RETURN_IF_ERROR(stores->PutSignedPreKey(creds.signed_prekey));

  PreKeyBatch batch;
  for (auto& [key, value] : memory.Snapshot()) {
    batch.writes.push_back({.type = key.first, .id = key.second, .value = value});
  }
  iq::PreKeyUpload upload{.registration_id = creds.registration_id,
                          .identity_public = creds.identity.public_key,
                          .prekeys = {},
                          .signed_prekey = {.id = creds.signed_prekey.id,
                                            .public_key = creds.signed_prekey.key_pair.public_key,
                                            .signature = creds.signed_prekey.signature}};
  upload.prekeys.reserve(keys.size());
  for (const signal::PreKey& key : keys) {
    upload.prekeys.push_back({.id = key.id, .public_key = key.key_pair.public_key});
  }
  WAGATE_ASSIGN_OR_RETURN(batch.upload, iq::BuildPreKeyUpload(upload));
  batch.creds = creds;
  batch.creds.next_prekey_id = creds.next_prekey_id + count;
  return batch;
}

}  // namespace wa::client
