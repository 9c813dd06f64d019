// Full Noise XX handshakes between our initiator and our responder.
#include <gtest/gtest.h>

#include "wa/noise/frame.h"
#include "wa/noise/initiator.h"
#include "wa/noise/responder.h"
#include "wa/noise/test_util.h"
#include "wa/proto/codec.h"
#include "wa/proto/wa_handshake.pb.h"

namespace wa::noise {
namespace {

using testing::kNow;
using testing::TestPki;
using testing::Unhex;

const std::string kPayload = "client payload bytes";

TEST(NoiseHandshake, CompletesAndCarriesFramesBothWaysThroughTheFrameCodec) {
  TestPki pki;
  Initiator client = pki.NewInitiator();
  Responder server = pki.NewResponder();
  FrameWriter client_out = FrameWriter::Client(Unhex("0a0b0c"));
  FrameWriter server_out = FrameWriter::Server();
  FrameReader client_in = FrameReader::Client();
  FrameReader server_in = FrameReader::Server();

  auto hello = client.WriteClientHello().value();
  // HandshakeMessage{clientHello{ephemeral}} = 12 22 0a 20 ‖ 32 bytes [§2.2].
  EXPECT_EQ(hello.substr(0, 4), Unhex("12220a20"));
  EXPECT_EQ(hello.size(), 36u);
  auto frames = server_in.Feed(client_out.Write(hello).value()).value();
  ASSERT_EQ(frames.size(), 1u);
  ASSERT_TRUE(server.ReadClientHello(frames[0]).ok());

  auto server_hello = server.WriteServerHello().value();
  frames = client_in.Feed(server_out.Write(server_hello).value()).value();
  ASSERT_EQ(frames.size(), 1u);
  ASSERT_TRUE(client.ReadServerHello(frames[0]).ok());
  EXPECT_EQ(client.server_static(), pki.server_static.public_key);

  auto finish = client.WriteClientFinish(kPayload).value();
  frames = server_in.Feed(client_out.Write(finish).value()).value();
  ASSERT_EQ(frames.size(), 1u);
  auto got = server.ReadClientFinish(frames[0]).value();
  EXPECT_EQ(got.client_static, pki.client_static.public_key);
  EXPECT_EQ(got.client_payload, kPayload);

  Transport ct = client.Split().value();
  Transport st = server.Split().value();
  for (int i = 0; i < 5; ++i) {
    std::string up = "up " + std::to_string(i);
    frames = server_in.Feed(client_out.Write(ct.Encrypt(up).value()).value()).value();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(st.Decrypt(frames[0]).value(), up);
    std::string down(1000 + i, static_cast<char>(i));
    frames = client_in.Feed(server_out.Write(st.Encrypt(down).value()).value()).value();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(ct.Decrypt(frames[0]).value(), down);
  }
  EXPECT_EQ(ct.send_counter(), 5u);
  EXPECT_EQ(st.recv_counter(), 5u);
  EXPECT_EQ(server_in.intro()->routing_info, Unhex("0a0b0c"));
}

struct Pair {
  TestPki pki;
  Initiator client = pki.NewInitiator();
  Responder server = pki.NewResponder();
  std::string server_hello;

  Pair() {
    EXPECT_TRUE(server.ReadClientHello(client.WriteClientHello().value()).ok());
    server_hello = server.WriteServerHello().value();
  }
};

proto::HandshakeMessage Decode(const std::string& bytes) {
  return proto::Parse<proto::HandshakeMessage>(bytes).value();
}

TEST(NoiseHandshake, WrongRootIsRefused) {
  Pair p;
  Initiator client = Initiator::Create({.static_key = p.pki.client_static, .now = kNow},
                                       p.pki.random)
                         .value();  // trusts WhatsApp's real root
  Responder server = p.pki.NewResponder();
  ASSERT_TRUE(server.ReadClientHello(client.WriteClientHello().value()).ok());
  auto s = client.ReadServerHello(server.WriteServerHello().value());
  EXPECT_EQ(s.code(), base::Code::kUnauthenticated);
  EXPECT_NE(s.message().find("noise: server hello: noise: cert chain: intermediate not signed"),
            std::string::npos)
      << s.ToString();
  // Failed for good.
  EXPECT_EQ(client.WriteClientFinish(kPayload).status().code(), base::Code::kFailedPrecondition);
}

TEST(NoiseHandshake, LeafKeyMismatchIsRefused) {
  TestPki pki;
  Initiator client = pki.NewInitiator();
  // A chain valid under the root but issued for another key.
  Responder server = Responder::Create({.static_key = pki.server_static,
                                        .cert_chain = pki.Chain(pki.client_static.public_key)},
                                       pki.random)
                         .value();
  ASSERT_TRUE(server.ReadClientHello(client.WriteClientHello().value()).ok());
  auto s = client.ReadServerHello(server.WriteServerHello().value());
  EXPECT_EQ(s.code(), base::Code::kUnauthenticated);
  EXPECT_NE(s.message().find("leaf key"), std::string::npos) << s.ToString();
}

TEST(NoiseHandshake, TamperedServerHelloIsRefused) {
  for (int field = 0; field < 3; ++field) {
    Pair p;
    auto msg = Decode(p.server_hello);
    auto* hello = msg.mutable_server_hello();
    std::string* target = field == 0   ? hello->mutable_ephemeral()
                          : field == 1 ? hello->mutable_static_()
                                       : hello->mutable_payload();
    (*target)[5] ^= 0x01;
    auto s = p.client.ReadServerHello(proto::Serialize(msg).value());
    EXPECT_FALSE(s.ok()) << field;
    EXPECT_NE(s.message().find("noise: server hello"), std::string::npos) << s.ToString();
    if (field == 1) {
      EXPECT_NE(s.message().find("bad static ciphertext"), std::string::npos) << s.ToString();
    }
  }
}

TEST(NoiseHandshake, TamperedClientFinishIsRefused) {
  for (int field = 0; field < 2; ++field) {
    Pair p;
    ASSERT_TRUE(p.client.ReadServerHello(p.server_hello).ok());
    auto msg = Decode(p.client.WriteClientFinish(kPayload).value());
    auto* finish = msg.mutable_client_finish();
    std::string* target = field == 0 ? finish->mutable_static_() : finish->mutable_payload();
    target->back() ^= 0x01;
    auto r = p.server.ReadClientFinish(proto::Serialize(msg).value());
    EXPECT_EQ(r.status().code(), base::Code::kDataLoss) << field;
    EXPECT_NE(r.status().message().find(field == 0 ? "noise: client finish: bad static ciphertext"
                                                   : "noise: client finish: bad payload"),
              std::string::npos)
        << r.status().ToString();
    EXPECT_EQ(p.server.Split().status().code(), base::Code::kFailedPrecondition);
  }
}

TEST(NoiseHandshake, MalformedMessagesAreInvalidArgument) {
  {
    TestPki pki;
    Responder server = pki.NewResponder();
    EXPECT_EQ(server.ReadClientHello("\xff").code(), base::Code::kInvalidArgument);
  }
  {
    TestPki pki;
    Responder server = pki.NewResponder();
    proto::HandshakeMessage msg;
    msg.mutable_client_hello()->set_ephemeral(std::string(31, 'x'));
    auto s = server.ReadClientHello(proto::Serialize(msg).value());
    EXPECT_EQ(s.code(), base::Code::kInvalidArgument);
    EXPECT_NE(s.message().find("noise: client hello: ephemeral"), std::string::npos);
  }
  {
    Pair p;
    EXPECT_EQ(p.client.ReadServerHello("").code(), base::Code::kInvalidArgument);
  }
  {
    Pair p;
    auto msg = Decode(p.server_hello);
    msg.mutable_server_hello()->clear_payload();
    EXPECT_EQ(p.client.ReadServerHello(proto::Serialize(msg).value()).code(),
              base::Code::kInvalidArgument);
  }
  {
    Pair p;
    ASSERT_TRUE(p.client.ReadServerHello(p.server_hello).ok());
    EXPECT_EQ(p.server.ReadClientFinish(p.server_hello).status().code(),
              base::Code::kInvalidArgument);
  }
}

TEST(NoiseHandshake, CallsOutOfOrderAreRefused) {
  TestPki pki;
  Initiator client = pki.NewInitiator();
  EXPECT_EQ(client.WriteClientFinish(kPayload).status().code(), base::Code::kFailedPrecondition);
  EXPECT_EQ(client.Split().status().code(), base::Code::kFailedPrecondition);
  Responder server = pki.NewResponder();
  EXPECT_EQ(server.WriteServerHello().status().code(), base::Code::kFailedPrecondition);
}

TEST(NoiseHandshake, FixedKeysGiveDeterministicMessages) {
  TestPki pki;
  auto e_c = crypto::KeyPair::Generate(pki.random).value();
  auto e_s = crypto::KeyPair::Generate(pki.random).value();
  std::string chain = pki.Chain(pki.server_static.public_key);
  std::string finishes[2];
  for (auto& finish : finishes) {
    Initiator client = Initiator::Create({.static_key = pki.client_static,
                                          .trusted_root = pki.root.public_key,
                                          .now = kNow,
                                          .ephemeral = e_c},
                                         pki.random)
                           .value();
    Responder server =
        Responder::Create({.static_key = pki.server_static, .cert_chain = chain, .ephemeral = e_s},
                          pki.random)
            .value();
    ASSERT_TRUE(server.ReadClientHello(client.WriteClientHello().value()).ok());
    ASSERT_TRUE(client.ReadServerHello(server.WriteServerHello().value()).ok());
    finish = client.WriteClientFinish(kPayload).value();
  }
  EXPECT_EQ(finishes[0], finishes[1]);
}

}  // namespace
}  // namespace wa::noise
