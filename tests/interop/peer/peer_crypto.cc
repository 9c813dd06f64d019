// wa_peer ops for wa/crypto (tests/interop/crypto.test.mjs). Bytes travel as
// lower-case hex; `seed` picks a base::SeededRandom so runs are reproducible.
//   crypto.sha256      {data}                         → {hex}
//   crypto.sha512      {data}                         → {hex}
//   crypto.hmac_sha256 {key, data, chunk?}            → {hex}   (chunk: use the stream)
//   crypto.hkdf        {ikm, salt?, info?, length}    → {hex}
//   crypto.pbkdf2      {password, salt, iterations, length} → {hex}
//   crypto.gcm_encrypt {key, iv, plaintext, aad?}     → {hex}   (ciphertext ‖ tag)
//   crypto.gcm_decrypt {key, iv, ciphertext, aad?}    → {hex}
//   crypto.cbc_encrypt {key, iv, plaintext, chunk?}   → {hex}
//   crypto.cbc_decrypt {key, iv, ciphertext, chunk?}  → {hex}
//   crypto.ctr         {key, iv, data}                → {hex}
//   crypto.x25519_generate {seed}                     → {private, public, signal_public}
//   crypto.x25519_public   {private}                  → {public, signal_public}
//   crypto.x25519_shared   {private, public}          → {hex}   (public: 32 or 33 bytes)
//   crypto.xeddsa_sign     {private, message, seed}   → {hex}
//   crypto.xeddsa_verify   {public, message, signature} → {valid, error?}
#include <boost/json.hpp>

#include "base/encoding.h"
#include "base/random.h"
#include "peer.h"
#include "wa/crypto/aes_cbc.h"
#include "wa/crypto/aes_ctr.h"
#include "wa/crypto/aes_gcm.h"
#include "wa/crypto/curve25519.h"
#include "wa/crypto/hash.h"
#include "wa/crypto/hkdf_sha256.h"
#include "wa/crypto/hmac.h"
#include "wa/crypto/pbkdf2.h"
#include "wa/crypto/xeddsa.h"

namespace interop {
namespace {

namespace json = boost::json;
using namespace wa::crypto;

base::Result<uint64_t> UintArg(const json::object& args, const char* name) {
  auto it = args.find(name);
  if (it == args.end() || !(it->value().is_int64() || it->value().is_uint64())) {
    return base::InvalidArgument(std::string("missing integer argument '") + name + "'");
  }
  if (it->value().is_int64() && it->value().as_int64() < 0) {
    return base::InvalidArgument(std::string("argument '") + name + "' is negative");
  }
  return it->value().is_uint64() ? it->value().as_uint64()
                                 : static_cast<uint64_t>(it->value().as_int64());
}

// Optional hex argument: empty when absent.
base::Result<std::string> OptHexArg(const json::object& args, const char* name) {
  if (args.find(name) == args.end()) return std::string();
  return HexArg(args, name);
}

size_t ChunkArg(const json::object& args) {
  auto chunk = UintArg(args, "chunk");
  return chunk.ok() && *chunk > 0 ? static_cast<size_t>(*chunk) : 0;
}

json::value Hex(std::string_view bytes) {
  json::object out;
  out["hex"] = base::HexEncode(bytes);
  return json::value(std::move(out));
}

base::Result<json::value> Sha256Op(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string data, HexArg(args, "data"));
  WAGATE_ASSIGN_OR_RETURN(std::string digest, Sha256(data));
  return Hex(digest);
}

base::Result<json::value> Sha512Op(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string data, HexArg(args, "data"));
  WAGATE_ASSIGN_OR_RETURN(std::string digest, Sha512(data));
  return Hex(digest);
}

base::Result<json::value> HmacOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string key, HexArg(args, "key"));
  WAGATE_ASSIGN_OR_RETURN(std::string data, HexArg(args, "data"));
  const size_t chunk = ChunkArg(args);
  if (chunk == 0) {
    WAGATE_ASSIGN_OR_RETURN(std::string tag, HmacSha256(key, data));
    return Hex(tag);
  }
  WAGATE_ASSIGN_OR_RETURN(HmacSha256Stream stream, HmacSha256Stream::Create(key));
  for (size_t at = 0; at < data.size(); at += chunk) {
    WAGATE_RETURN_IF_ERROR(stream.Update(std::string_view(data).substr(at, chunk)));
  }
  WAGATE_ASSIGN_OR_RETURN(std::string tag, stream.Finish());
  return Hex(tag);
}

base::Result<json::value> HkdfOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string ikm, HexArg(args, "ikm"));
  WAGATE_ASSIGN_OR_RETURN(std::string salt, OptHexArg(args, "salt"));
  WAGATE_ASSIGN_OR_RETURN(std::string info, OptHexArg(args, "info"));
  WAGATE_ASSIGN_OR_RETURN(uint64_t length, UintArg(args, "length"));
  WAGATE_ASSIGN_OR_RETURN(std::string okm,
                          HkdfSha256({.ikm = ikm, .salt = salt, .info = info, .length = length}));
  return Hex(okm);
}

base::Result<json::value> Pbkdf2Op(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string password, HexArg(args, "password"));
  WAGATE_ASSIGN_OR_RETURN(std::string salt, HexArg(args, "salt"));
  WAGATE_ASSIGN_OR_RETURN(uint64_t iterations, UintArg(args, "iterations"));
  WAGATE_ASSIGN_OR_RETURN(uint64_t length, UintArg(args, "length"));
  if (iterations > UINT32_MAX) return base::InvalidArgument("iterations too large");
  WAGATE_ASSIGN_OR_RETURN(
      std::string key, Pbkdf2HmacSha256(password, salt, static_cast<uint32_t>(iterations), length));
  return Hex(key);
}

base::Result<json::value> GcmEncryptOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string key, HexArg(args, "key"));
  WAGATE_ASSIGN_OR_RETURN(std::string iv, HexArg(args, "iv"));
  WAGATE_ASSIGN_OR_RETURN(std::string plaintext, HexArg(args, "plaintext"));
  WAGATE_ASSIGN_OR_RETURN(std::string aad, OptHexArg(args, "aad"));
  WAGATE_ASSIGN_OR_RETURN(std::string sealed, AesGcmEncrypt(key, iv, plaintext, aad));
  return Hex(sealed);
}

base::Result<json::value> GcmDecryptOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string key, HexArg(args, "key"));
  WAGATE_ASSIGN_OR_RETURN(std::string iv, HexArg(args, "iv"));
  WAGATE_ASSIGN_OR_RETURN(std::string ciphertext, HexArg(args, "ciphertext"));
  WAGATE_ASSIGN_OR_RETURN(std::string aad, OptHexArg(args, "aad"));
  WAGATE_ASSIGN_OR_RETURN(std::string plain, AesGcmDecrypt(key, iv, ciphertext, aad));
  return Hex(plain);
}

base::Result<json::value> CbcOp(const json::object& args, bool encrypt) {
  WAGATE_ASSIGN_OR_RETURN(std::string key, HexArg(args, "key"));
  WAGATE_ASSIGN_OR_RETURN(std::string iv, HexArg(args, "iv"));
  WAGATE_ASSIGN_OR_RETURN(std::string in, HexArg(args, encrypt ? "plaintext" : "ciphertext"));
  const size_t chunk = ChunkArg(args);
  if (chunk == 0) {
    WAGATE_ASSIGN_OR_RETURN(std::string out,
                            encrypt ? AesCbcEncrypt(key, iv, in) : AesCbcDecrypt(key, iv, in));
    return Hex(out);
  }
  WAGATE_ASSIGN_OR_RETURN(AesCbcStream stream, encrypt ? AesCbcStream::Encryptor(key, iv)
                                                       : AesCbcStream::Decryptor(key, iv));
  std::string out;
  for (size_t at = 0; at < in.size(); at += chunk) {
    WAGATE_RETURN_IF_ERROR(stream.Update(std::string_view(in).substr(at, chunk), &out));
  }
  WAGATE_RETURN_IF_ERROR(stream.Finish(&out));
  return Hex(out);
}

base::Result<json::value> CtrOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string key, HexArg(args, "key"));
  WAGATE_ASSIGN_OR_RETURN(std::string iv, HexArg(args, "iv"));
  WAGATE_ASSIGN_OR_RETURN(std::string data, HexArg(args, "data"));
  WAGATE_ASSIGN_OR_RETURN(std::string out, AesCtrEncrypt(key, iv, data));
  return Hex(out);
}

json::value KeysJson(const PublicKey& pub, const PrivateKey* priv) {
  json::object out;
  if (priv != nullptr) out["private"] = base::HexEncode(priv->bytes());
  out["public"] = base::HexEncode(pub.raw());
  out["signal_public"] = base::HexEncode(pub.Signal());
  return json::value(std::move(out));
}

base::Result<json::value> X25519GenerateOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(uint64_t seed, UintArg(args, "seed"));
  base::SeededRandom random(seed);
  WAGATE_ASSIGN_OR_RETURN(KeyPair pair, KeyPair::Generate(random));
  return KeysJson(pair.public_key, &pair.private_key);
}

base::Result<json::value> X25519PublicOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string raw, HexArg(args, "private"));
  WAGATE_ASSIGN_OR_RETURN(KeyPair pair, KeyPair::FromPrivate(raw));
  return KeysJson(pair.public_key, nullptr);
}

base::Result<json::value> X25519SharedOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string raw_private, HexArg(args, "private"));
  WAGATE_ASSIGN_OR_RETURN(std::string raw_public, HexArg(args, "public"));
  WAGATE_ASSIGN_OR_RETURN(PrivateKey priv, PrivateKey::FromBytes(raw_private));
  WAGATE_ASSIGN_OR_RETURN(PublicKey pub, PublicKey::Parse(raw_public));
  WAGATE_ASSIGN_OR_RETURN(std::string secret, SharedSecret(priv, pub));
  return Hex(secret);
}

base::Result<json::value> XeddsaSignOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string raw_private, HexArg(args, "private"));
  WAGATE_ASSIGN_OR_RETURN(std::string message, HexArg(args, "message"));
  WAGATE_ASSIGN_OR_RETURN(uint64_t seed, UintArg(args, "seed"));
  WAGATE_ASSIGN_OR_RETURN(PrivateKey priv, PrivateKey::FromBytes(raw_private));
  base::SeededRandom random(seed);
  WAGATE_ASSIGN_OR_RETURN(std::string signature, XeddsaSign(priv, message, random));
  return Hex(signature);
}

base::Result<json::value> XeddsaVerifyOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string raw_public, HexArg(args, "public"));
  WAGATE_ASSIGN_OR_RETURN(std::string message, HexArg(args, "message"));
  WAGATE_ASSIGN_OR_RETURN(std::string signature, HexArg(args, "signature"));
  WAGATE_ASSIGN_OR_RETURN(PublicKey pub, PublicKey::Parse(raw_public));
  base::Status verified = XeddsaVerify(pub, message, signature);
  json::object out;
  out["valid"] = verified.ok();
  if (!verified.ok()) out["error"] = verified.ToString();
  return json::value(std::move(out));
}

PeerOps ops{
    {"crypto.sha256", Sha256Op},
    {"crypto.sha512", Sha512Op},
    {"crypto.hmac_sha256", HmacOp},
    {"crypto.hkdf", HkdfOp},
    {"crypto.pbkdf2", Pbkdf2Op},
    {"crypto.gcm_encrypt", GcmEncryptOp},
    {"crypto.gcm_decrypt", GcmDecryptOp},
    {"crypto.cbc_encrypt", [](const json::object& a) { return CbcOp(a, true); }},
    {"crypto.cbc_decrypt", [](const json::object& a) { return CbcOp(a, false); }},
    {"crypto.ctr", CtrOp},
    {"crypto.x25519_generate", X25519GenerateOp},
    {"crypto.x25519_public", X25519PublicOp},
    {"crypto.x25519_shared", X25519SharedOp},
    {"crypto.xeddsa_sign", XeddsaSignOp},
    {"crypto.xeddsa_verify", XeddsaVerifyOp},
};

}  // namespace
}  // namespace interop
