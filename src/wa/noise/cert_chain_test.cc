#include "wa/noise/cert_chain.h"

#include <gtest/gtest.h>

#include "wa/crypto/xeddsa.h"
#include "wa/noise/test_util.h"
#include "wa/proto/codec.h"
#include "wa/proto/wa_handshake.pb.h"

namespace wa::noise {
namespace {

using testing::kNotAfter;
using testing::kNotBefore;
using testing::kNow;
using testing::TestPki;

base::Status Verify(const std::string& chain, const crypto::PublicKey& root,
                    const crypto::PublicKey& server_static, uint64_t now = kNow) {
  return VerifyCertChain(chain,
                         {.trusted_root = &root, .server_static = &server_static, .now = now});
}

TEST(NoiseCertChain, WhatsAppRootIsTheProtocolConstant) {
  EXPECT_EQ(base::HexEncode(WhatsAppRootPublicKey().raw()), kWhatsAppRootPublicKeyHex);
}

TEST(NoiseCertChain, BuiltChainVerifies) {
  TestPki pki;
  std::string chain = pki.Chain(pki.server_static.public_key);
  EXPECT_TRUE(Verify(chain, pki.root.public_key, pki.server_static.public_key).ok());
}

TEST(NoiseCertChain, IntermediateCarriesExplicitZeroIssuerSerial) {
  TestPki pki;
  auto chain = proto::Parse<proto::CertChain>(pki.Chain(pki.server_static.public_key)).value();
  const std::string& details = chain.intermediate().details();
  // serial = 1 (08 01), then issuer_serial = 0 present on the wire (10 00) [§2.3 item 2].
  EXPECT_EQ(base::HexEncode(details.substr(0, 4)), "08011000");
  auto leaf = proto::Parse<proto::CertChain::NoiseCertificate::Details>(chain.leaf().details());
  EXPECT_EQ(leaf->serial(), 2u);
  EXPECT_EQ(leaf->issuer_serial(), 1u);
  EXPECT_EQ(leaf->key(), pki.server_static.public_key.raw());
  EXPECT_EQ(leaf->not_before(), kNotBefore);
  EXPECT_EQ(leaf->not_after(), kNotAfter);
}

TEST(NoiseCertChain, WrongRootIsRefused) {
  TestPki pki;
  std::string chain = pki.Chain(pki.server_static.public_key);
  auto s = Verify(chain, WhatsAppRootPublicKey(), pki.server_static.public_key);
  EXPECT_EQ(s.code(), base::Code::kUnauthenticated);
  EXPECT_NE(s.message().find("trusted root"), std::string::npos) << s.ToString();
}

TEST(NoiseCertChain, LeafKeyMismatchIsRefused) {
  TestPki pki;
  std::string chain = pki.Chain(pki.client_static.public_key);
  auto s = Verify(chain, pki.root.public_key, pki.server_static.public_key);
  EXPECT_EQ(s.code(), base::Code::kUnauthenticated);
  EXPECT_NE(s.message().find("leaf key"), std::string::npos) << s.ToString();
}

TEST(NoiseCertChain, LeafSignedByOtherKeyIsRefused) {
  TestPki pki;
  auto chain = proto::Parse<proto::CertChain>(pki.Chain(pki.server_static.public_key)).value();
  TestPki other(2);
  auto other_chain =
      proto::Parse<proto::CertChain>(other.Chain(pki.server_static.public_key)).value();
  *chain.mutable_leaf() = other_chain.leaf();
  auto s =
      Verify(proto::Serialize(chain).value(), pki.root.public_key, pki.server_static.public_key);
  EXPECT_EQ(s.code(), base::Code::kUnauthenticated);
  EXPECT_NE(s.message().find("intermediate"), std::string::npos) << s.ToString();
}

TEST(NoiseCertChain, OutsideValidityWindowIsRefused) {
  TestPki pki;
  std::string chain = pki.Chain(pki.server_static.public_key);
  EXPECT_EQ(Verify(chain, pki.root.public_key, pki.server_static.public_key, kNotBefore - 1).code(),
            base::Code::kUnauthenticated);
  EXPECT_EQ(Verify(chain, pki.root.public_key, pki.server_static.public_key, kNotAfter + 1).code(),
            base::Code::kUnauthenticated);
  EXPECT_TRUE(Verify(chain, pki.root.public_key, pki.server_static.public_key, kNotAfter).ok());
}

TEST(NoiseCertChain, BrokenSerialChainIsRefused) {
  TestPki pki;
  std::string chain = BuildCertChain({.root = &pki.root,
                                      .intermediate = &pki.intermediate,
                                      .leaf_key = pki.server_static.public_key,
                                      .intermediate_serial = 7,
                                      .leaf_serial = 8,
                                      .not_before = kNotBefore,
                                      .not_after = kNotAfter},
                                     pki.random)
                          .value();
  EXPECT_TRUE(Verify(chain, pki.root.public_key, pki.server_static.public_key).ok());

  // Leaf re-signed with a wrong issuer serial.
  auto parsed = proto::Parse<proto::CertChain>(chain).value();
  auto leaf =
      proto::Parse<proto::CertChain::NoiseCertificate::Details>(parsed.leaf().details()).value();
  leaf.set_issuer_serial(6);
  std::string details = proto::Serialize(leaf).value();
  parsed.mutable_leaf()->set_details(details);
  parsed.mutable_leaf()->set_signature(
      crypto::XeddsaSign(pki.intermediate.private_key, details, pki.random).value());
  auto s =
      Verify(proto::Serialize(parsed).value(), pki.root.public_key, pki.server_static.public_key);
  EXPECT_EQ(s.code(), base::Code::kUnauthenticated);
  EXPECT_NE(s.message().find("issuer serial"), std::string::npos) << s.ToString();
}

TEST(NoiseCertChain, MalformedChainsAreInvalidArgument) {
  TestPki pki;
  const auto& root = pki.root.public_key;
  const auto& server = pki.server_static.public_key;
  EXPECT_EQ(Verify("\xff\xff", root, server).code(), base::Code::kInvalidArgument);
  EXPECT_EQ(Verify("", root, server).code(), base::Code::kInvalidArgument);
  auto chain = proto::Parse<proto::CertChain>(pki.Chain(server)).value();
  auto no_sig = chain;
  no_sig.mutable_leaf()->clear_signature();
  EXPECT_EQ(Verify(proto::Serialize(no_sig).value(), root, server).code(),
            base::Code::kInvalidArgument);
  auto short_sig = chain;
  short_sig.mutable_intermediate()->set_signature(std::string(63, '\0'));
  EXPECT_EQ(Verify(proto::Serialize(short_sig).value(), root, server).code(),
            base::Code::kInvalidArgument);
  auto bad_details = chain;
  bad_details.mutable_intermediate()->set_details("\xff\xff\xff");
  EXPECT_EQ(Verify(proto::Serialize(bad_details).value(), root, server).code(),
            base::Code::kInvalidArgument);
}

}  // namespace
}  // namespace wa::noise
