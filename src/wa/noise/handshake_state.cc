#include "wa/noise/handshake_state.h"

#include "wa/crypto/hash.h"
#include "wa/crypto/hkdf_sha256.h"
#include "wa/crypto/secure_memory.h"

namespace wa::noise {
namespace {

constexpr uint64_t kMaxNonce = uint64_t{1} << 32;  // the IV carries a u32 counter

}  // namespace

std::string NonceIv(uint32_t counter) {
  std::string iv(crypto::kGcmIvSize, '\0');
  iv[8] = static_cast<char>((counter >> 24) & 0xff);
  iv[9] = static_cast<char>((counter >> 16) & 0xff);
  iv[10] = static_cast<char>((counter >> 8) & 0xff);
  iv[11] = static_cast<char>(counter & 0xff);
  return iv;
}

base::Result<SymmetricState> SymmetricState::Create(std::string_view prologue) {
  SymmetricState s;
  s.h_ = std::string(kProtocolName);
  s.ck_ = s.h_;
  WAGATE_RETURN_IF_ERROR(s.MixHash(prologue));
  return s;
}

SymmetricState::~SymmetricState() {
  crypto::Wipe(h_);
  crypto::Wipe(ck_);
}

base::Status SymmetricState::MixHash(std::string_view data) {
  std::string input;
  input.reserve(h_.size() + data.size());
  input.append(h_).append(data);
  WAGATE_ASSIGN_OR_RETURN(h_, crypto::Sha256(input));
  return base::Status::Ok();
}

base::Status SymmetricState::MixKey(std::string_view input_key_material) {
  WAGATE_ASSIGN_OR_RETURN(
      std::string out,
      crypto::HkdfSha256({.ikm = input_key_material, .salt = ck_, .info = "", .length = 64}));
  std::string_view k = std::string_view(out).substr(32, 32);
  auto cipher = crypto::AesGcm::Create(k);
  if (!cipher.ok()) {
    crypto::Wipe(out);
    return cipher.status();
  }
  crypto::Wipe(ck_);
  ck_ = out.substr(0, 32);
  crypto::Wipe(out);
  cipher_.emplace(std::move(cipher).value());
  n_ = 0;
  return base::Status::Ok();
}

base::Result<std::string> SymmetricState::EncryptAndHash(std::string_view plaintext) {
  if (!cipher_) return base::FailedPrecondition("noise: encrypt before any key was mixed");
  if (n_ >= kMaxNonce) return base::ResourceExhausted("noise: handshake nonce exhausted");
  WAGATE_ASSIGN_OR_RETURN(std::string c,
                          cipher_->Seal(NonceIv(static_cast<uint32_t>(n_)), plaintext, h_));
  ++n_;
  WAGATE_RETURN_IF_ERROR(MixHash(c));
  return c;
}

base::Result<std::string> SymmetricState::DecryptAndHash(std::string_view ciphertext) {
  if (!cipher_) return base::FailedPrecondition("noise: decrypt before any key was mixed");
  if (n_ >= kMaxNonce) return base::ResourceExhausted("noise: handshake nonce exhausted");
  WAGATE_ASSIGN_OR_RETURN(std::string p,
                          cipher_->Open(NonceIv(static_cast<uint32_t>(n_)), ciphertext, h_));
  ++n_;
  WAGATE_RETURN_IF_ERROR(MixHash(ciphertext));
  return p;
}

base::Result<std::pair<std::string, std::string>> SymmetricState::Split() const {
  WAGATE_ASSIGN_OR_RETURN(std::string out,
                          crypto::HkdfSha256({.ikm = "", .salt = ck_, .info = "", .length = 64}));
  std::pair<std::string, std::string> keys(out.substr(0, 32), out.substr(32, 32));
  crypto::Wipe(out);
  return keys;
}

}  // namespace wa::noise
