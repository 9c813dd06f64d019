// Micro-benchmarks of wa/noise (Google Benchmark).
//
//   wa_noise_bench --benchmark_format=json            # numbers as JSON
//
// Handshake: one full Noise XX exchange between our initiator and responder
// (both roles, cert chain verification included; 2 XEdDSA verifies, 6 X25519
// agreements, 3 key generations). Transport: frame payloads of the given size
// encrypted + framed, then read back through a FrameReader and decrypted.
// Keys come from a seeded generator, so runs are comparable.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

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

void BM_Handshake(benchmark::State& state) {
  TestPki pki(7);
  const std::string chain = pki.Chain(pki.server_static.public_key);
  for (auto _ : state) {
    Initiator client = pki.NewInitiator();
    auto server =
        Responder::Create({.static_key = pki.server_static, .cert_chain = chain}, pki.random)
            .value();
    bool ok = server.ReadClientHello(client.WriteClientHello().value()).ok() &&
              client.ReadServerHello(server.WriteServerHello().value()).ok();
    auto finish = client.WriteClientFinish("payload");
    ok = ok && finish.ok() && server.ReadClientFinish(*finish).ok();
    if (!ok) state.SkipWithError("handshake failed");
    benchmark::DoNotOptimize(client.Split());
    benchmark::DoNotOptimize(server.Split());
  }
}
BENCHMARK(BM_Handshake);

void BM_TransportRoundTrip(benchmark::State& state) {
  const std::string key_a(32, 'a');
  const std::string key_b(32, 'b');
  auto sender = Transport::Create(key_a, key_b).value();
  auto receiver = Transport::Create(key_b, key_a).value();
  FrameWriter writer = FrameWriter::Server();
  FrameReader reader = FrameReader::Client();
  const std::string plain(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    auto wire = writer.Write(sender.Encrypt(plain).value()).value();
    auto frames = reader.Feed(wire).value();
    auto out = receiver.Decrypt(frames[0]);
    if (!out.ok()) state.SkipWithError("decrypt failed");
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_TransportRoundTrip)->Arg(64)->Arg(1024)->Arg(64 * 1024);

}  // namespace

BENCHMARK_MAIN();
