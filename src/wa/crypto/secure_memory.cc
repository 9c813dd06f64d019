#include "wa/crypto/secure_memory.h"

#include <openssl/crypto.h>

namespace wa::crypto {

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void Wipe(void* data, size_t size) {
  if (data != nullptr && size > 0) OPENSSL_cleanse(data, size);
}

void Wipe(std::string& s) {
  Wipe(s.data(), s.size());
  s.clear();
}

}  // namespace wa::crypto
