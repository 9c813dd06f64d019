#include "wa/crypto/aes_gcm.h"

#include <openssl/err.h>

#include <algorithm>

#include "wa/crypto/secure_memory.h"

namespace wa::crypto {

namespace {

base::Status CheckIv(std::string_view iv) {
  if (iv.size() != kGcmIvSize) {
    return base::InvalidArgument("aes-gcm: iv must be 12 bytes, got " + std::to_string(iv.size()));
  }
  return base::Status::Ok();
}

base::Result<internal::CipherCtx> NewCtx(std::string_view key, int enc) {
  if (internal::Aes256Gcm() == nullptr) return internal::OpenSslError("aes-gcm");
  internal::CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex2(ctx.get(), internal::Aes256Gcm(), internal::Bytes(key), nullptr,
                                 enc, nullptr) != 1) {
    return internal::OpenSslError("aes-gcm init");
  }
  return ctx;
}

// Feeds `in` through EVP_CipherUpdate in int-sized slices. With out == nullptr
// the input is additional authenticated data.
bool Feed(EVP_CIPHER_CTX* ctx, unsigned char* out, std::string_view in, size_t* written) {
  size_t done = 0;
  *written = 0;
  do {
    size_t n = std::min(in.size() - done, internal::kMaxUpdate);
    int got = 0;
    if (EVP_CipherUpdate(ctx, out == nullptr ? nullptr : out + *written, &got,
                         internal::Bytes(in.substr(done)), static_cast<int>(n)) != 1) {
      return false;
    }
    *written += static_cast<size_t>(got);
    done += n;
  } while (done < in.size());
  return true;
}

}  // namespace

base::Result<AesGcm> AesGcm::Create(std::string_view key) {
  if (key.size() != kAesKeySize) {
    return base::InvalidArgument("aes-gcm: key must be 32 bytes, got " +
                                 std::to_string(key.size()));
  }
  WAGATE_ASSIGN_OR_RETURN(internal::CipherCtx enc, NewCtx(key, 1));
  WAGATE_ASSIGN_OR_RETURN(internal::CipherCtx dec, NewCtx(key, 0));
  return AesGcm(std::move(enc), std::move(dec));
}

base::Result<std::string> AesGcm::Seal(std::string_view iv, std::string_view plaintext,
                                       std::string_view aad) {
  WAGATE_RETURN_IF_ERROR(CheckIv(iv));
  EVP_CIPHER_CTX* ctx = enc_.get();
  if (EVP_CipherInit_ex2(ctx, nullptr, nullptr, internal::Bytes(iv), 1, nullptr) != 1) {
    return internal::OpenSslError("aes-gcm seal");
  }
  std::string out(plaintext.size() + kGcmTagSize, '\0');
  size_t ignored = 0, written = 0;
  int final_len = 0;
  if ((!aad.empty() && !Feed(ctx, nullptr, aad, &ignored)) ||
      !Feed(ctx, internal::MutableBytes(out), plaintext, &written) ||
      EVP_CipherFinal_ex(ctx, internal::MutableBytes(out) + written, &final_len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, kGcmTagSize,
                          internal::MutableBytes(out) + plaintext.size()) != 1) {
    return internal::OpenSslError("aes-gcm seal");
  }
  return out;
}

base::Result<std::string> AesGcm::Open(std::string_view iv, std::string_view ciphertext,
                                       std::string_view aad) {
  WAGATE_RETURN_IF_ERROR(CheckIv(iv));
  if (ciphertext.size() < kGcmTagSize) {
    return base::DataLoss("aes-gcm: ciphertext shorter than the 16-byte tag");
  }
  std::string_view body = ciphertext.substr(0, ciphertext.size() - kGcmTagSize);
  std::string tag(ciphertext.substr(body.size()));
  EVP_CIPHER_CTX* ctx = dec_.get();
  if (EVP_CipherInit_ex2(ctx, nullptr, nullptr, internal::Bytes(iv), 0, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, kGcmTagSize, tag.data()) != 1) {
    return internal::OpenSslError("aes-gcm open");
  }
  std::string out(body.size(), '\0');
  size_t ignored = 0, written = 0;
  if ((!aad.empty() && !Feed(ctx, nullptr, aad, &ignored)) ||
      !Feed(ctx, internal::MutableBytes(out), body, &written)) {
    return internal::OpenSslError("aes-gcm open");
  }
  int final_len = 0;
  if (EVP_CipherFinal_ex(ctx, internal::MutableBytes(out) + written, &final_len) != 1) {
    ERR_clear_error();
    Wipe(out);
    return base::DataLoss("aes-gcm: authentication tag mismatch");
  }
  return out;
}

base::Result<std::string> AesGcmEncrypt(std::string_view key, std::string_view iv,
                                        std::string_view plaintext, std::string_view aad) {
  WAGATE_ASSIGN_OR_RETURN(AesGcm gcm, AesGcm::Create(key));
  return gcm.Seal(iv, plaintext, aad);
}

base::Result<std::string> AesGcmDecrypt(std::string_view key, std::string_view iv,
                                        std::string_view ciphertext, std::string_view aad) {
  WAGATE_ASSIGN_OR_RETURN(AesGcm gcm, AesGcm::Create(key));
  return gcm.Open(iv, ciphertext, aad);
}

}  // namespace wa::crypto
