// Micro-benchmarks of wa/signal (Google Benchmark).
//
//   wa_signal_bench --benchmark_format=json            # numbers as JSON
//
// Two in-process parties with memory key-value stores; the session is
// established (pkmsg answered) before timing. One iteration = encrypt a
// 100-byte message at A + decrypt it at B, including every store load/save
// libsignal does (the records are serialised through the KV each time, as
// they will be through SQLite/Mongo in production). Target: <= 30 us.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>

#include "base/random.h"
#include "wa/signal/context.h"
#include "wa/signal/group.h"
#include "wa/signal/keygen.h"
#include "wa/signal/memory_kv_store.h"
#include "wa/signal/padding.h"
#include "wa/signal/session.h"
#include "wa/signal/stores.h"

namespace {

using namespace wa::signal;

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) {
    s[i] = static_cast<char>((static_cast<uint32_t>(i) * 2654435761u) >> 13);
  }
  return s;
}

struct Party {
  Party(uint64_t seed, Address address_in) : random(seed), address(std::move(address_in)) {
    local.identity = *GenerateIdentityKeyPair(random);
    local.registration_id = GenerateRegistrationId(random);
    signed_pre_key = *GenerateSignedPreKey(local.identity, 1, random);
    pre_keys = *GeneratePreKeys(1, 2, random);
    context = Context::Create(random).value();
    stores = Stores::Create(*context, kv, local).value();
    (void)stores->PutSignedPreKey(signed_pre_key);
    (void)stores->PutPreKeys(pre_keys);
  }
  PreKeyBundle Bundle() const {
    return PreKeyBundle{local.registration_id,
                        address.device,
                        local.identity.public_key,
                        signed_pre_key.id,
                        signed_pre_key.key_pair.public_key,
                        signed_pre_key.signature,
                        pre_keys[0].id,
                        pre_keys[0].key_pair.public_key};
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

void BM_EncryptDecrypt100(benchmark::State& state) {
  Party a(1, Address{"15550001111", 0});
  Party b(2, Address::ForUser("100000000000002", 1, 0));
  if (!ProcessPreKeyBundle(*a.stores, b.address, b.Bundle()).ok()) {
    state.SkipWithError("bundle");
    return;
  }
  auto first = *Encrypt(*a.stores, b.address, "hi");
  (void)Decrypt(*b.stores, a.address, first.type, first.ciphertext);
  auto reply = *Encrypt(*b.stores, a.address, "hi");
  (void)Decrypt(*a.stores, b.address, reply.type, reply.ciphertext);
  const std::string plain = Pattern(100);
  for (auto _ : state) {
    auto message = Encrypt(*a.stores, b.address, plain);
    auto decrypted = Decrypt(*b.stores, a.address, message->type, message->ciphertext);
    if (!decrypted.ok()) {
      state.SkipWithError(decrypted.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(decrypted->data());
  }
}
BENCHMARK(BM_EncryptDecrypt100);

void BM_GroupEncryptDecrypt100(benchmark::State& state) {
  Party a(1, Address{"15550001111", 0});
  Party b(2, Address{"15550002222", 0});
  SenderKeyName name{"120363000000000001@g.us", a.address};
  (void)ProcessSenderKeyDistribution(*b.stores, name,
                                     *CreateSenderKeyDistribution(*a.stores, name));
  const std::string plain = Pattern(100);
  for (auto _ : state) {
    auto skmsg = GroupEncrypt(*a.stores, name, plain);
    auto decrypted = GroupDecrypt(*b.stores, name, *skmsg);
    if (!decrypted.ok()) {
      state.SkipWithError(decrypted.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(decrypted->data());
  }
}
BENCHMARK(BM_GroupEncryptDecrypt100);

void BM_PadUnpad100(benchmark::State& state) {
  base::SeededRandom random(5);
  const std::string plain = Pattern(100);
  for (auto _ : state) {
    auto unpadded = Unpad(Pad(plain, random));
    benchmark::DoNotOptimize(unpadded->data());
  }
}
BENCHMARK(BM_PadUnpad100);

}  // namespace

BENCHMARK_MAIN();
