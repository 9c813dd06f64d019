// libFuzzer target for the paths fed by protobuf bytes from the network:
// the Message, ClientPayload, HandshakeMessage and HistorySync decoders
// (wa/proto), the ADV containers of pairing (wa/pair) and the QR parser.
//
// The first input byte picks the path, the rest is the payload. Nothing may
// crash or trip a sanitizer; a message that parses must serialise, parse
// again to the same bytes, and convert to JSON.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/random.h"
#include "wa/crypto/curve25519.h"
#include "wa/pair/adv.h"
#include "wa/pair/qr.h"
#include "wa/proto/codec.h"
#include "wa/proto/wa_client_payload.pb.h"
#include "wa/proto/wa_handshake.pb.h"
#include "wa/proto/wa_history_sync.pb.h"
#include "wa/proto/wa_message.pb.h"

namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "protobuf_fuzz: %s\n", what);
  std::abort();
}

// Parse → Serialize → Parse must be stable, and JSON must be producible.
template <typename T>
void RoundTrip(std::string_view bytes) {
  auto parsed = wa::proto::Parse<T>(bytes);
  if (!parsed.ok()) return;
  auto again = wa::proto::Serialize(*parsed);
  if (!again.ok()) Die("serialize failed after a successful parse");
  auto reparsed = wa::proto::Parse<T>(*again);
  if (!reparsed.ok()) Die("our own serialisation does not parse");
  auto third = wa::proto::Serialize(*reparsed);
  if (!third.ok() || *third != *again) Die("serialisation is not stable");
  if (!wa::proto::ToJson(*parsed).ok()) Die("no JSON for a parsed message");
}

// Fixed keys, so that the fuzzer explores the container checks themselves.
const wa::crypto::KeyPair& CompanionIdentity() {
  static const wa::crypto::KeyPair pair = [] {
    base::SeededRandom random(7);
    auto p = wa::crypto::KeyPair::Generate(random);
    if (!p.ok()) Die("key generation failed");
    return std::move(p).value();
  }();
  return pair;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view payload(reinterpret_cast<const char*>(data) + 1, size - 1);
  base::SeededRandom random(size);
  switch (data[0] % 7) {
    case 0:
      RoundTrip<wa::proto::Message>(payload);
      break;
    case 1:
      RoundTrip<wa::proto::ClientPayload>(payload);
      break;
    case 2:
      RoundTrip<wa::proto::HandshakeMessage>(payload);
      break;
    case 3:
      RoundTrip<wa::proto::HistorySync>(payload);
      break;
    case 4: {
      static const std::string kSecret(32, '\x5a');
      (void)wa::pair::ProcessDeviceIdentityHmac(payload, kSecret, CompanionIdentity(), random);
      break;
    }
    case 5: {
      (void)wa::pair::VerifyDeviceIdentityReply(payload, CompanionIdentity().public_key,
                                                CompanionIdentity().public_key);
      break;
    }
    case 6: {
      auto qr = wa::pair::ParseQr(payload);
      if (qr.ok()) {
        auto rebuilt = wa::pair::BuildQr(*qr);
        if (!rebuilt.ok() || *rebuilt != payload) Die("a parsed QR does not rebuild to itself");
      }
      break;
    }
  }
  return 0;
}
