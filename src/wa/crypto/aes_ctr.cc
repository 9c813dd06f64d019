#include "wa/crypto/aes_ctr.h"

#include <algorithm>

#include "wa/crypto/openssl_util.h"

namespace wa::crypto {

base::Result<std::string> AesCtrEncrypt(std::string_view key, std::string_view iv,
                                        std::string_view data) {
  if (key.size() != 32) {
    return base::InvalidArgument("aes-ctr: key must be 32 bytes, got " +
                                 std::to_string(key.size()));
  }
  if (iv.size() != kCtrIvSize) {
    return base::InvalidArgument("aes-ctr: iv must be 16 bytes, got " + std::to_string(iv.size()));
  }
  if (internal::Aes256Ctr() == nullptr) return internal::OpenSslError("aes-ctr");
  internal::CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex2(ctx.get(), internal::Aes256Ctr(), internal::Bytes(key),
                                 internal::Bytes(iv), 1, nullptr) != 1) {
    return internal::OpenSslError("aes-ctr init");
  }
  std::string out(data.size(), '\0');
  size_t done = 0;
  while (done < data.size()) {
    size_t n = std::min(data.size() - done, internal::kMaxUpdate);
    int got = 0;
    if (EVP_CipherUpdate(ctx.get(), internal::MutableBytes(out) + done, &got,
                         internal::Bytes(data.substr(done)), static_cast<int>(n)) != 1 ||
        static_cast<size_t>(got) != n) {
      return internal::OpenSslError("aes-ctr");
    }
    done += n;
  }
  return out;
}

}  // namespace wa::crypto
