// Test helpers for wa/signal: a party with its own seeded Random, memory KV,
// context, stores, identity, signed pre-key 1 and one-time pre-keys 1..10.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/random.h"
#include "wa/signal/context.h"
#include "wa/signal/keygen.h"
#include "wa/signal/memory_kv_store.h"
#include "wa/signal/session.h"
#include "wa/signal/stores.h"

namespace wa::signal::testing {

struct Party {
  Party(uint64_t seed, Address address_in) : random(seed), address(std::move(address_in)) {
    local.identity = GenerateIdentityKeyPair(random).value();
    local.registration_id = GenerateRegistrationId(random);
    signed_pre_key = GenerateSignedPreKey(local.identity, 1, random).value();
    pre_keys = GeneratePreKeys(1, 10, random).value();
    Open();
    EXPECT_TRUE(stores->PutSignedPreKey(signed_pre_key).ok());
    EXPECT_TRUE(stores->PutPreKeys(pre_keys).ok());
  }

  // (Re)creates context and stores over the same KV bytes.
  void Open() {
    stores.reset();
    context = Context::Create(random).value();
    stores = Stores::Create(*context, kv, local).value();
  }

  PreKeyBundle Bundle(std::optional<uint32_t> pre_key_id = 1) const {
    PreKeyBundle bundle;
    bundle.registration_id = local.registration_id;
    bundle.device_id = address.device;
    bundle.identity_key = local.identity.public_key;
    bundle.signed_pre_key_id = signed_pre_key.id;
    bundle.signed_pre_key_public = signed_pre_key.key_pair.public_key;
    bundle.signed_pre_key_signature = signed_pre_key.signature;
    if (pre_key_id) {
      bundle.pre_key_id = pre_key_id;
      bundle.pre_key_public = pre_keys.at(*pre_key_id - 1).key_pair.public_key;
    }
    return bundle;
  }

  base::SeededRandom random;
  Address address;
  MemoryKeyValueStore kv;
  LocalIdentity local;
  SignedPreKey signed_pre_key;
  std::vector<PreKey> pre_keys;
  std::unique_ptr<Context> context;
  std::unique_ptr<Stores> stores;
};

}  // namespace wa::signal::testing
