#include "wa/noise/transport.h"

#include <gtest/gtest.h>

#include "wa/crypto/aes_gcm.h"
#include "wa/noise/handshake_state.h"

namespace wa::noise {
namespace {

const std::string kKeyA(32, 'a');
const std::string kKeyB(32, 'b');

TEST(NoiseTransport, DirectionsHaveSeparateKeysAndCounters) {
  auto client = Transport::Create(kKeyA, kKeyB).value();
  auto server = Transport::Create(kKeyB, kKeyA).value();
  for (int i = 0; i < 3; ++i) {
    auto c = client.Encrypt("c" + std::to_string(i)).value();
    EXPECT_EQ(server.Decrypt(c).value(), "c" + std::to_string(i));
  }
  auto s = server.Encrypt("s0").value();
  EXPECT_EQ(client.Decrypt(s).value(), "s0");
  EXPECT_EQ(client.send_counter(), 3u);
  EXPECT_EQ(client.recv_counter(), 1u);
  EXPECT_EQ(server.send_counter(), 1u);
  EXPECT_EQ(server.recv_counter(), 3u);
}

TEST(NoiseTransport, FrameIsGcmWithCounterIvAndNoAad) {
  auto t = Transport::Create(kKeyA, kKeyB).value();
  ASSERT_TRUE(t.Encrypt("first").ok());
  auto c = t.Encrypt("second").value();
  EXPECT_EQ(crypto::AesGcmDecrypt(kKeyA, NonceIv(1), c, "").value(), "second");
}

TEST(NoiseTransport, TamperedFrameFailsAndReceiveSideStaysFailed) {
  auto client = Transport::Create(kKeyA, kKeyB).value();
  auto server = Transport::Create(kKeyB, kKeyA).value();
  auto c = client.Encrypt("hello").value();
  auto tampered = c;
  tampered.back() ^= 0x80;
  auto r = server.Decrypt(tampered);
  EXPECT_EQ(r.status().code(), base::Code::kDataLoss);
  EXPECT_NE(r.status().message().find("noise: transport"), std::string::npos);
  EXPECT_EQ(server.Decrypt(c).status().code(), base::Code::kFailedPrecondition);
  // Sending still works.
  EXPECT_TRUE(server.Encrypt("x").ok());
}

TEST(NoiseTransport, ReorderedFramesFail) {
  auto client = Transport::Create(kKeyA, kKeyB).value();
  auto server = Transport::Create(kKeyB, kKeyA).value();
  auto c0 = client.Encrypt("0").value();
  auto c1 = client.Encrypt("1").value();
  EXPECT_FALSE(server.Decrypt(c1).ok());
}

TEST(NoiseTransport, ShortFrameFails) {
  auto server = Transport::Create(kKeyB, kKeyA).value();
  EXPECT_FALSE(server.Decrypt("short").ok());
}

TEST(NoiseTransport, CounterExhaustionIsRefused) {
  constexpr uint64_t kLast = (uint64_t{1} << 32) - 1;
  auto send = TransportCipher::Create(kKeyA, kLast).value();
  auto recv = TransportCipher::Create(kKeyA, kLast).value();
  auto c = send.Seal("last").value();
  EXPECT_EQ(crypto::AesGcmDecrypt(kKeyA, NonceIv(0xffffffff), c, "").value(), "last");
  EXPECT_EQ(recv.Open(c).value(), "last");
  EXPECT_EQ(send.Seal("wraps").status().code(), base::Code::kResourceExhausted);
  EXPECT_EQ(recv.Open(c).status().code(), base::Code::kResourceExhausted);
}

TEST(NoiseTransport, BadKeyLengthIsRefused) {
  EXPECT_FALSE(Transport::Create("short", kKeyA).ok());
}

}  // namespace
}  // namespace wa::noise
