// libFuzzer target for wa/noise: everything a peer can send before or after
// the handshake.
//
// The first input byte picks what the rest is fed to:
//   0  FrameReader::Server (intro + frames), in chunks sized by the input
//   1  FrameReader::Client
//   2  Responder::ReadClientHello
//   3  Responder::ReadClientFinish, after a real ClientHello/ServerHello
//   4  Initiator::ReadServerHello, after a real ClientHello
//   5  VerifyCertChain
//   6  Initiator::ReadServerHello of an authentic ServerHello whose encrypted
//      certificate chain is the input (reaches the checks after decryption)
//   7  Transport::Decrypt, one frame
// Nothing may crash or trip a sanitizer; every error must be a Status whose
// message starts with "noise".
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/random.h"
#include "wa/noise/cert_chain.h"
#include "wa/noise/frame.h"
#include "wa/noise/initiator.h"
#include "wa/noise/responder.h"
#include "wa/noise/test_pki.h"
#include "wa/noise/transport.h"

namespace {

using namespace wa::noise;

using wa::noise::testing::kNow;
using wa::noise::testing::TestPki;

TestPki& K() {
  static TestPki pki(1);
  return pki;
}

// The server's chain, built once: signing it per input would dominate.
const std::string& ServerChain() {
  static const std::string chain = K().Chain(K().server_static.public_key);
  return chain;
}

void Check(const base::Status& s, const char* where) {
  if (s.ok()) return;
  if (s.message().rfind("noise", 0) != 0) {
    std::fprintf(stderr, "noise_fuzz: %s: error without context: %s\n", where,
                 s.ToString().c_str());
    std::abort();
  }
}

Responder NewResponder(std::string chain) {
  return Responder::Create({.static_key = K().server_static, .cert_chain = std::move(chain)},
                           K().random)
      .value();
}

void FeedReader(FrameReader reader, std::string_view data) {
  // The first byte of the rest sets the chunk size, so splits get explored too.
  size_t chunk = data.empty() ? 1 : 1 + static_cast<uint8_t>(data[0]) % 64;
  if (!data.empty()) data.remove_prefix(1);
  while (!data.empty()) {
    auto frames = reader.Feed(data.substr(0, chunk));
    if (!frames.ok()) {
      Check(frames.status(), "frame reader");
      // A failed reader stays failed.
      if (reader.Feed("x").ok()) std::abort();
      return;
    }
    data.remove_prefix(std::min(chunk, data.size()));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size == 0) return 0;
  std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  switch (bytes[0] % 8) {
    case 0:
      FeedReader(FrameReader::Server({.max_frame_size = 4096, .max_routing_info = 64}), data);
      break;
    case 1:
      FeedReader(FrameReader::Client({.max_frame_size = 4096}), data);
      break;
    case 2: {
      Responder r = NewResponder(ServerChain());
      Check(r.ReadClientHello(data), "client hello");
      break;
    }
    case 3: {
      Initiator i = K().NewInitiator();
      Responder r = NewResponder(ServerChain());
      Check(r.ReadClientHello(i.WriteClientHello().value()), "setup");
      (void)r.WriteServerHello().value();
      Check(r.ReadClientFinish(data).status(), "client finish");
      break;
    }
    case 4: {
      Initiator i = K().NewInitiator();
      (void)i.WriteClientHello().value();
      Check(i.ReadServerHello(data), "server hello");
      break;
    }
    case 5:
      Check(VerifyCertChain(data, {.trusted_root = &K().root.public_key,
                                   .server_static = &K().server_static.public_key,
                                   .now = kNow}),
            "cert chain");
      break;
    case 6: {
      Initiator i = K().NewInitiator();
      Responder r = NewResponder(std::string(data));
      Check(r.ReadClientHello(i.WriteClientHello().value()), "setup");
      Check(i.ReadServerHello(r.WriteServerHello().value()), "server hello with fuzzed chain");
      break;
    }
    case 7: {
      auto t = Transport::Create(std::string(32, 'k'), std::string(32, 'k')).value();
      Check(t.Decrypt(data).status(), "transport");
      break;
    }
  }
  return 0;
}
