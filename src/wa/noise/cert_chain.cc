#include "wa/noise/cert_chain.h"

#include "base/encoding.h"
#include "wa/crypto/xeddsa.h"
#include "wa/proto/codec.h"
#include "wa/proto/wa_handshake.pb.h"

namespace wa::noise {
namespace {

using Certificate = proto::CertChain::NoiseCertificate;
using Details = proto::CertChain::NoiseCertificate::Details;

base::Status Fail(std::string what) { return base::Unauthenticated("noise: cert chain: " + what); }
base::Status Malformed(std::string what) {
  return base::InvalidArgument("noise: cert chain: " + what);
}

base::Result<Certificate> Sign(const Details& details, const crypto::PrivateKey& signer,
                               base::Random& random) {
  WAGATE_ASSIGN_OR_RETURN(std::string bytes, proto::Serialize(details));
  WAGATE_ASSIGN_OR_RETURN(std::string signature, crypto::XeddsaSign(signer, bytes, random));
  Certificate cert;
  cert.set_details(bytes);
  cert.set_signature(signature);
  return cert;
}

// Checks presence and sizes; parses the details.
base::Result<Details> Open(const proto::CertChain& chain, bool leaf) {
  const char* name = leaf ? "leaf" : "intermediate";
  bool present = leaf ? chain.has_leaf() : chain.has_intermediate();
  const Certificate& cert = leaf ? chain.leaf() : chain.intermediate();
  if (!present || !cert.has_details() || !cert.has_signature()) {
    return Malformed(std::string(name) + " certificate missing or incomplete");
  }
  if (cert.signature().size() != crypto::kSignatureSize) {
    return Malformed(std::string(name) + " signature is " +
                     std::to_string(cert.signature().size()) + " bytes, not 64");
  }
  auto details = proto::Parse<Details>(cert.details());
  if (!details.ok()) return Malformed(std::string(name) + " details do not parse");
  if (!details->has_key() || details->key().size() != crypto::kCurve25519KeySize) {
    return Malformed(std::string(name) + " key missing or not 32 bytes");
  }
  // Absent serials read as 0, as whatsmeow treats them (the real server's
  // chain is accepted by whatsmeow; we build ours with them present).
  return details;
}

base::Status CheckTime(const Details& d, uint64_t now, const char* name) {
  if (d.not_before() > now || d.not_after() < now) {
    return Fail(std::string(name) + " not valid at " + std::to_string(now) + " (valid " +
                std::to_string(d.not_before()) + ".." + std::to_string(d.not_after()) + ")");
  }
  return base::Status::Ok();
}

}  // namespace

const crypto::PublicKey& WhatsAppRootPublicKey() {
  static const crypto::PublicKey kKey =
      crypto::PublicKey::FromRaw(base::HexDecode(kWhatsAppRootPublicKeyHex).value()).value();
  return kKey;
}

base::Result<std::string> BuildCertChain(const CertChainParams& params, base::Random& random) {
  if (params.root == nullptr || params.intermediate == nullptr) {
    return base::InvalidArgument("noise: cert chain: root and intermediate keys required");
  }
  Details inter;
  inter.set_serial(params.intermediate_serial);
  inter.set_issuer_serial(kRootSerial);  // explicit 0 on the wire [§14.1 item 2]
  inter.set_key(std::string(params.intermediate->public_key.raw()));
  inter.set_not_before(params.not_before);
  inter.set_not_after(params.not_after);

  Details leaf;
  leaf.set_serial(params.leaf_serial);
  leaf.set_issuer_serial(params.intermediate_serial);
  leaf.set_key(std::string(params.leaf_key.raw()));
  leaf.set_not_before(params.not_before);
  leaf.set_not_after(params.not_after);

  proto::CertChain chain;
  WAGATE_ASSIGN_OR_RETURN(*chain.mutable_intermediate(),
                          Sign(inter, params.root->private_key, random));
  WAGATE_ASSIGN_OR_RETURN(*chain.mutable_leaf(),
                          Sign(leaf, params.intermediate->private_key, random));
  return proto::Serialize(chain);
}

base::Status VerifyCertChain(std::string_view cert_chain, const CertVerifyParams& params) {
  if (params.trusted_root == nullptr || params.server_static == nullptr) {
    return base::InvalidArgument("noise: cert chain: trusted root and server static required");
  }
  auto chain = proto::Parse<proto::CertChain>(cert_chain);
  if (!chain.ok()) return Malformed("does not parse");
  WAGATE_ASSIGN_OR_RETURN(Details inter, Open(*chain, false));
  WAGATE_ASSIGN_OR_RETURN(Details leaf, Open(*chain, true));

  if (inter.issuer_serial() != kRootSerial) {
    return Fail("intermediate issuer serial " + std::to_string(inter.issuer_serial()) +
                " is not the root's (0)");
  }
  if (!crypto::XeddsaVerify(*params.trusted_root, chain->intermediate().details(),
                            chain->intermediate().signature())
           .ok()) {
    return Fail("intermediate not signed by the trusted root");
  }
  WAGATE_ASSIGN_OR_RETURN(crypto::PublicKey inter_key, crypto::PublicKey::FromRaw(inter.key()));
  if (!crypto::XeddsaVerify(inter_key, chain->leaf().details(), chain->leaf().signature()).ok()) {
    return Fail("leaf not signed by the intermediate");
  }
  if (leaf.issuer_serial() != inter.serial()) {
    return Fail("leaf issuer serial " + std::to_string(leaf.issuer_serial()) +
                " is not the intermediate serial " + std::to_string(inter.serial()));
  }
  WAGATE_RETURN_IF_ERROR(CheckTime(inter, params.now, "intermediate"));
  WAGATE_RETURN_IF_ERROR(CheckTime(leaf, params.now, "leaf"));
  if (leaf.key() != params.server_static->raw()) {
    return Fail("leaf key is not the server's static key");
  }
  return base::Status::Ok();
}

}  // namespace wa::noise
