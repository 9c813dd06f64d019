#include "wa/crypto/aes_cbc.h"

#include <openssl/err.h>

#include <algorithm>

#include "wa/crypto/secure_memory.h"

namespace wa::crypto {

base::Result<AesCbcStream> AesCbcStream::Create(std::string_view key, std::string_view iv,
                                                int enc) {
  if (key.size() != 32) {
    return base::InvalidArgument("aes-cbc: key must be 32 bytes, got " +
                                 std::to_string(key.size()));
  }
  if (iv.size() != kCbcIvSize) {
    return base::InvalidArgument("aes-cbc: iv must be 16 bytes, got " + std::to_string(iv.size()));
  }
  if (internal::Aes256Cbc() == nullptr) return internal::OpenSslError("aes-cbc");
  internal::CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex2(ctx.get(), internal::Aes256Cbc(), internal::Bytes(key),
                                 internal::Bytes(iv), enc, nullptr) != 1) {
    return internal::OpenSslError("aes-cbc init");
  }
  return AesCbcStream(std::move(ctx), enc == 1);
}

base::Result<AesCbcStream> AesCbcStream::Encryptor(std::string_view key, std::string_view iv) {
  return Create(key, iv, 1);
}

base::Result<AesCbcStream> AesCbcStream::Decryptor(std::string_view key, std::string_view iv) {
  return Create(key, iv, 0);
}

base::Status AesCbcStream::Update(std::string_view in, std::string* out) {
  if (finished_) return base::FailedPrecondition("aes-cbc stream: update after finish");
  size_t done = 0;
  while (done < in.size()) {
    size_t n = std::min(in.size() - done, internal::kMaxUpdate);
    size_t at = out->size();
    out->resize(at + n + kAesBlockSize);
    int got = 0;
    if (EVP_CipherUpdate(ctx_.get(), internal::MutableBytes(*out) + at, &got,
                         internal::Bytes(in.substr(done)), static_cast<int>(n)) != 1) {
      out->resize(at);
      return internal::OpenSslError("aes-cbc update");
    }
    out->resize(at + static_cast<size_t>(got));
    done += n;
  }
  return base::Status::Ok();
}

base::Status AesCbcStream::Finish(std::string* out) {
  if (finished_) return base::FailedPrecondition("aes-cbc stream: finished twice");
  finished_ = true;
  size_t at = out->size();
  out->resize(at + kAesBlockSize);
  int got = 0;
  if (EVP_CipherFinal_ex(ctx_.get(), internal::MutableBytes(*out) + at, &got) != 1) {
    out->resize(at);
    if (encrypt_) return internal::OpenSslError("aes-cbc finish");
    ERR_clear_error();
    return base::DataLoss("aes-cbc: bad padding or length not a multiple of 16");
  }
  out->resize(at + static_cast<size_t>(got));
  return base::Status::Ok();
}

base::Result<std::string> AesCbcEncrypt(std::string_view key, std::string_view iv,
                                        std::string_view plaintext) {
  WAGATE_ASSIGN_OR_RETURN(AesCbcStream cbc, AesCbcStream::Encryptor(key, iv));
  std::string out;
  out.reserve(plaintext.size() + kAesBlockSize);
  WAGATE_RETURN_IF_ERROR(cbc.Update(plaintext, &out));
  WAGATE_RETURN_IF_ERROR(cbc.Finish(&out));
  return out;
}

base::Result<std::string> AesCbcDecrypt(std::string_view key, std::string_view iv,
                                        std::string_view ciphertext) {
  if (ciphertext.empty() || ciphertext.size() % kAesBlockSize != 0) {
    return base::DataLoss("aes-cbc: ciphertext length " + std::to_string(ciphertext.size()) +
                          " is not a positive multiple of 16");
  }
  WAGATE_ASSIGN_OR_RETURN(AesCbcStream cbc, AesCbcStream::Decryptor(key, iv));
  std::string out;
  out.reserve(ciphertext.size());
  WAGATE_RETURN_IF_ERROR(cbc.Update(ciphertext, &out));
  base::Status finished = cbc.Finish(&out);
  if (!finished.ok()) {
    Wipe(out);
    return finished;
  }
  return out;
}

}  // namespace wa::crypto
