// A simulator-style PKI for wa/noise tests, fuzz targets and benchmarks
// (test root, intermediate, server and client statics, from a seed), and our
// two handshake roles built on it. Test code only; no gtest dependency, so
// the fuzzers and benchmarks can use it too. Not thread-safe (one Random).
#pragma once

#include <cstdint>
#include <string>

#include "base/random.h"
#include "wa/noise/cert_chain.h"
#include "wa/noise/initiator.h"
#include "wa/noise/responder.h"

namespace wa::noise::testing {

inline constexpr uint64_t kNow = 1'790'000'000;  // 2026-09, inside the test window
inline constexpr uint64_t kNotBefore = 1'700'000'000;
inline constexpr uint64_t kNotAfter = 1'900'000'000;

struct TestPki {
  explicit TestPki(uint64_t seed = 1)
      : random(seed),
        root(crypto::KeyPair::Generate(random).value()),
        intermediate(crypto::KeyPair::Generate(random).value()),
        server_static(crypto::KeyPair::Generate(random).value()),
        client_static(crypto::KeyPair::Generate(random).value()) {}

  std::string Chain(const crypto::PublicKey& leaf_key) {
    return BuildCertChain({.root = &root,
                           .intermediate = &intermediate,
                           .leaf_key = leaf_key,
                           .not_before = kNotBefore,
                           .not_after = kNotAfter},
                          random)
        .value();
  }

  Responder NewResponder() {
    return Responder::Create(
               {.static_key = server_static, .cert_chain = Chain(server_static.public_key)}, random)
        .value();
  }

  Initiator NewInitiator() {
    return Initiator::Create(
               {.static_key = client_static, .trusted_root = root.public_key, .now = kNow}, random)
        .value();
  }

  base::SeededRandom random;
  crypto::KeyPair root;
  crypto::KeyPair intermediate;
  crypto::KeyPair server_static;
  crypto::KeyPair client_static;
};

}  // namespace wa::noise::testing
