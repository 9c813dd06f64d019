// SimConnection + Simulator driven by an in-process companion: our Noise
// initiator and wa::pair's companion-side functions (not wa/client), with
// the bytes fed one at a time so framing across message boundaries is covered.
#include "sim/connection.h"

#include <gtest/gtest.h>

#include "sim/phone.h"
#include "sim/simulator.h"
#include "wa/binary/frame.h"
#include "wa/noise/cert_chain.h"
#include "wa/noise/initiator.h"
#include "wa/pair/adv.h"
#include "wa/pair/pair_code.h"
#include "wa/pair/qr.h"
#include "wa/proto/codec.h"
#include "wa/proto/wa_client_payload.pb.h"

namespace sim {
namespace {

constexpr int64_t kNowMs = 1'790'000'000'000;

struct Server {
  Server() : store("", random), clock(kNowMs) {
    root = wa::crypto::KeyPair::Generate(random).value();
    auto inter = wa::crypto::KeyPair::Generate(random).value();
    auto static_key = wa::crypto::KeyPair::Generate(random).value();
    auto chain = wa::noise::BuildCertChain({.root = &*root,
                                            .intermediate = &inter,
                                            .leaf_key = static_key.public_key,
                                            .not_before = kNowMs / 1000 - 10,
                                            .not_after = kNowMs / 1000 + 1000},
                                           random)
                     .value();
    sim.emplace(store, ServerIdentity{*root, static_key, chain}, random, clock);
  }
  base::SeededRandom random{5};
  AccountStore store;
  base::FakeClock clock;
  std::optional<wa::crypto::KeyPair> root;
  std::optional<Simulator> sim;
};

// A companion (creds: noise key, identity, signed pre-key, adv secret).
struct Companion {
  explicit Companion(base::Random& r)
      : random(r),
        noise(wa::crypto::KeyPair::Generate(r).value()),
        identity(wa::crypto::KeyPair::Generate(r).value()),
        adv_secret(r.Bytes(32)) {}

  // Connects: handshake with `payload`, returns the first stanzas.
  std::vector<Node> Connect(Server& s, const std::string& payload) {
    conn = std::make_unique<SimConnection>(*s.sim, s.sim->NewConnectionId());
    writer = wa::noise::FrameWriter::Client();
    reader = wa::noise::FrameReader::Client();
    auto init =
        wa::noise::Initiator::Create(
            {.static_key = noise, .trusted_root = s.root->public_key, .now = kNowMs / 1000}, random)
            .value();
    Feed(*writer->Write(*init.WriteClientHello()));
    auto hello = Frames();
    EXPECT_EQ(hello.size(), 1u);
    EXPECT_TRUE(init.ReadServerHello(hello.at(0)).ok());
    Feed(*writer->Write(*init.WriteClientFinish(payload)));
    transport.emplace(init.Split().value());
    return Nodes();
  }
  void Feed(const std::string& bytes) {
    for (char c : bytes) conn->OnBytes(std::string_view(&c, 1));
  }
  std::vector<std::string> Frames() {
    std::vector<std::string> out;
    while (conn->HasOutput()) {
      auto frames = reader->Feed(conn->PopOutput());
      for (auto& f : frames.value()) out.push_back(std::move(f));
    }
    return out;
  }
  std::vector<Node> Nodes() {
    std::vector<Node> out;
    for (const std::string& f : Frames()) {
      out.push_back(*wa::binary::DecodeFrame(*transport->Decrypt(f)));
    }
    return out;
  }
  void Send(const Node& node) {
    Feed(*writer->Write(*transport->Encrypt(*wa::binary::EncodeFrame(node))));
  }

  std::string Registration() {
    auto spk = wa::signal::GenerateSignedPreKey({std::string(identity.public_key.raw()),
                                                 std::string(identity.private_key.bytes())},
                                                1, random)
                   .value();
    wa::proto::ClientPayload p;
    auto* d = p.mutable_device_pairing_data();
    d->set_e_regid(BigEndian(1234, 4));
    d->set_e_keytype("\x05");
    d->set_e_ident(std::string(identity.public_key.raw()));
    d->set_e_skey_id(BigEndian(1, 3));
    d->set_e_skey_val(spk.key_pair.public_key);
    d->set_e_skey_sig(spk.signature);
    return *wa::proto::Serialize(p);
  }
  static std::string Login(const std::string& phone, uint32_t device) {
    wa::proto::ClientPayload p;
    p.set_username(std::stoull(phone));
    p.set_device(device);
    p.set_passive(true);
    return *wa::proto::Serialize(p);
  }

  // Answers <pair-success> as Baileys does [§5.4].
  void AnswerPairSuccess(const Node& iq, const std::string& secret) {
    const Node* success = iq.GetChild("pair-success");
    ASSERT_NE(success, nullptr) << iq.DebugString();
    auto pairing = wa::pair::ProcessDeviceIdentityHmac(
        *ContentBytes(*success->GetChild("device-identity")), secret, identity, random);
    ASSERT_TRUE(pairing.ok()) << pairing.status().ToString();
    Node reply("iq", {{"type", "result"}, {"id", *iq.GetAttrText("id")}});
    reply.SetAttr("to", ServerJid());
    Node sign("pair-device-sign");
    sign.AddChild(Node("device-identity",
                       {{"key-index", std::to_string(pairing->identity.key_index)}},
                       wa::binary::Bytes(pairing->reply_identity)));
    reply.AddChild(sign);
    Send(reply);
  }

  base::Random& random;
  wa::crypto::KeyPair noise;
  wa::crypto::KeyPair identity;
  std::string adv_secret;
  std::unique_ptr<SimConnection> conn;
  std::optional<wa::noise::FrameWriter> writer;
  std::optional<wa::noise::FrameReader> reader;
  std::optional<wa::noise::Transport> transport;
};

bool IsStreamError(const Node& n, const std::string& code) {
  return n.tag == "stream:error" && n.GetAttrText("code") == code;
}

TEST(SimConnection, QrPairingThenLoginThenReplacedThenWrongKey) {
  Server s;
  ASSERT_TRUE(s.store.CreateAccount("15550100001", "Alice").ok());
  Companion c(s.random);
  auto first = c.Connect(s, c.Registration());
  ASSERT_EQ(first.size(), 1u);
  const Node* pair = first[0].GetChild("pair-device");
  ASSERT_NE(pair, nullptr) << first[0].DebugString();
  EXPECT_EQ(pair->GetChildren("ref").size(), 6u);
  const std::string ref = *ContentBytes(*pair->GetChildren("ref")[0]);

  auto qr = wa::pair::BuildQr({ref, c.noise.public_key, c.identity.public_key, c.adv_secret, "1"});
  // Another account's phone cannot scan for a companion that is not waiting.
  EXPECT_EQ(s.sim->Scan("15550100009", *qr).status().code(), base::Code::kNotFound);
  auto device = s.sim->Scan("15550100001", *qr);
  ASSERT_TRUE(device.ok()) << device.status().ToString();
  EXPECT_EQ(device->ToString(), "15550100001:1@s.whatsapp.net");
  auto success = c.Nodes();
  ASSERT_EQ(success.size(), 1u);
  c.AnswerPairSuccess(success[0], c.adv_secret);
  auto end = c.Nodes();
  ASSERT_EQ(end.size(), 1u);
  EXPECT_TRUE(IsStreamError(end[0], "515")) << end[0].DebugString();
  EXPECT_TRUE(c.conn->closing());
  ASSERT_EQ(s.store.FindByPhone("15550100001")->devices.count(1), 1u);

  // Login as the new device.
  Companion& login = c;
  auto nodes = login.Connect(s, Companion::Login("15550100001", 1));
  ASSERT_GE(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].tag, "success");
  EXPECT_EQ(nodes[0].GetAttrText("lid"), "100000000000001:1@lid");
  EXPECT_EQ(nodes.back().tag, "ib");
  EXPECT_EQ(nodes.back().GetChild("offline")->GetAttrText("count"), "0");
  login.Send(Node("iq", {{"id", "p1"}, {"xmlns", "w:p"}, {"type", "get"}},
                  std::vector<Node>{Node("ping")}));
  auto pong = login.Nodes();
  ASSERT_EQ(pong.size(), 1u);
  EXPECT_EQ(pong[0].GetAttrText("id"), "p1");
  login.Send(Node("iq", {{"id", "u1"}, {"xmlns", "w:nope"}, {"type", "get"}}));
  auto unknown = login.Nodes();
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0].GetChild("error")->GetAttrText("code"), "501");

  // A second login of the same device replaces the first connection.
  std::unique_ptr<SimConnection> old = std::move(login.conn);
  auto old_transport = std::move(*login.transport);
  auto old_reader = std::move(*login.reader);
  ASSERT_EQ(login.Connect(s, Companion::Login("15550100001", 1))[0].tag, "success");
  ASSERT_TRUE(old->HasOutput());
  std::string bytes;
  while (old->HasOutput()) bytes += old->PopOutput();
  auto frames = old_reader.Feed(bytes).value();
  ASSERT_EQ(frames.size(), 1u);
  Node replaced = *wa::binary::DecodeFrame(*old_transport.Decrypt(frames[0]));
  EXPECT_EQ(replaced.tag, "stream:error");
  EXPECT_EQ(replaced.GetChild("conflict")->GetAttrText("type"), "replaced");
  EXPECT_TRUE(old->closing());

  // A known device with another noise key is refused: the key is bound at pairing.
  Companion stranger(s.random);
  auto refused = stranger.Connect(s, Companion::Login("15550100001", 1));
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].tag, "failure");
  EXPECT_EQ(refused[0].GetAttrText("reason"), "401");

  // Admin removal kicks the connected device with 401 device_removed.
  ASSERT_TRUE(s.sim->RemoveDevice("15550100001", 1).ok());
  auto removed = login.Nodes();
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_TRUE(IsStreamError(removed[0], "401"));
  EXPECT_EQ(removed[0].GetChild("conflict")->GetAttrText("type"), "device_removed");

  // The removed device cannot log in again.
  auto gone = login.Connect(s, Companion::Login("15550100001", 1));
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].tag, "failure");
  EXPECT_EQ(gone[0].GetAttrText("reason"), "401");
}

TEST(SimConnection, PairingCodeLinksTheDevice) {
  Server s;
  Account* account = *s.store.CreateAccount("15550100002", "Bob");
  Companion c(s.random);
  c.Connect(s, c.Registration());
  const std::string code = wa::pair::GeneratePairingCode(s.random);
  auto ephemeral = wa::crypto::KeyPair::Generate(s.random).value();
  Node reg("link_code_companion_reg", {{"stage", "companion_hello"}});
  reg.SetAttr("jid", wa::Jid("15550100002", "s.whatsapp.net"));
  reg.AddChild(BytesNode("link_code_pairing_wrapped_companion_ephemeral_pub",
                         *wa::pair::WrapEphemeralKey(code, ephemeral.public_key, s.random)));
  reg.AddChild(BytesNode("companion_server_auth_key_pub", std::string(c.noise.public_key.raw())));
  reg.AddChild(Node("link_code_pairing_nonce", {}, std::string("0")));
  c.Send(Node("iq", {{"id", "h1"}, {"xmlns", "md"}, {"type", "set"}}, std::vector<Node>{reg}));
  auto hello = c.Nodes();
  ASSERT_EQ(hello.size(), 1u);
  auto ref = ChildBytes(*hello[0].GetChild("link_code_companion_reg"), "link_code_pairing_ref");
  ASSERT_TRUE(ref.has_value()) << hello[0].DebugString();

  EXPECT_EQ(s.sim->TypePairingCode("15550100002", "1234").code(), base::Code::kInvalidArgument);
  ASSERT_TRUE(s.sim->TypePairingCode("15550100002", code.substr(0, 4) + "-" + code.substr(4)).ok());
  auto notification = c.Nodes();
  ASSERT_EQ(notification.size(), 1u);
  const Node* primary = notification[0].GetChild("link_code_companion_reg");
  ASSERT_NE(primary, nullptr);
  auto primary_identity =
      wa::crypto::PublicKey::FromRaw(*ChildBytes(*primary, "primary_identity_pub")).value();
  EXPECT_EQ(primary_identity.raw(), account->primary.account_key.public_key);
  auto finish = wa::pair::BuildCompanionFinish(
      {.code = code,
       .pairing_ephemeral = ephemeral,
       .identity = c.identity,
       .wrapped_primary_ephemeral =
           *ChildBytes(*primary, "link_code_pairing_wrapped_primary_ephemeral_pub"),
       .primary_identity = primary_identity},
      s.random);
  ASSERT_TRUE(finish.ok());
  Node fin("link_code_companion_reg", {{"stage", "companion_finish"}});
  fin.SetAttr("jid", wa::Jid("15550100002", "s.whatsapp.net"));
  fin.AddChild(BytesNode("link_code_pairing_wrapped_key_bundle", finish->wrapped_key_bundle));
  fin.AddChild(BytesNode("companion_identity_public", std::string(c.identity.public_key.raw())));
  fin.AddChild(BytesNode("link_code_pairing_ref", *ref));
  c.Send(Node("iq", {{"id", "f1"}, {"xmlns", "md"}, {"type", "set"}}, std::vector<Node>{fin}));
  auto after = c.Nodes();
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].GetAttrText("type"), "result");
  c.AnswerPairSuccess(after[1], finish->adv_secret);
  auto end = c.Nodes();
  ASSERT_EQ(end.size(), 1u);
  EXPECT_TRUE(IsStreamError(end[0], "515"));
  EXPECT_EQ(account->devices.size(), 1u);
}

TEST(SimConnection, GarbageIsRefusedWithoutCrashing) {
  Server s;
  SimConnection conn(*s.sim, 1);
  conn.OnBytes("GET / HTTP/1.1\r\n");
  EXPECT_TRUE(conn.aborted());
  SimConnection conn2(*s.sim, 2);
  conn2.OnBytes(std::string("WA\x06\x03\x00\x00\x03xyz", 10));  // not a ClientHello
  EXPECT_TRUE(conn2.aborted());
  EXPECT_EQ(s.sim->connection_count(), 2u);
}

// After a good handshake: frames that do not decrypt, and well-encrypted
// frames that are not nodes, end the connection; nothing crashes.
TEST(SimConnection, BadFramesAfterTheHandshakeAbort) {
  Server s;
  ASSERT_TRUE(s.store.CreateAccount("15550100001", "").ok());
  for (int round = 0; round < 20; ++round) {
    Companion c(s.random);
    c.Connect(s, c.Registration());
    ASSERT_FALSE(c.conn->aborted());
    const std::string junk = s.random.Bytes(1 + round * 7);
    if (round % 2 == 0) {
      c.Feed(*c.writer->Write(junk));  // not a GCM ciphertext of this transport
    } else {
      c.Feed(*c.writer->Write(*c.transport->Encrypt(junk)));  // not a node
    }
    EXPECT_TRUE(c.conn->aborted()) << round;
  }
}

}  // namespace
}  // namespace sim
