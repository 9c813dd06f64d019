#include "base/random.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace base {

std::string Random::Bytes(size_t n) {
  std::string s(n, '\0');
  Fill(s.data(), n);
  return s;
}

uint64_t Random::Uint64() {
  uint64_t v;
  Fill(&v, sizeof v);
  return v;
}

std::string Random::Token(size_t n, std::string_view alphabet) {
  std::string out;
  out.reserve(n);
  const uint64_t k = alphabet.size();
  const uint64_t limit = UINT64_MAX - UINT64_MAX % k;  // reject the biased tail
  while (out.size() < n) {
    uint64_t v = Uint64();
    if (v >= limit) continue;
    out += alphabet[v % k];
  }
  return out;
}

void SecureRandom::Fill(void* out, size_t n) {
  auto* p = static_cast<unsigned char*>(out);
  while (n > 0) {
    ssize_t got = getrandom(p, n, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      // Without an entropy source no key can be made safely; stopping is the
      // only honest answer.
      std::abort();
    }
    p += got;
    n -= static_cast<size_t>(got);
  }
}

SecureRandom& SecureRandom::Instance() {
  static SecureRandom r;
  return r;
}

void SeededRandom::Fill(void* out, size_t n) {
  auto* p = static_cast<unsigned char*>(out);
  while (n > 0) {
    uint64_t v = gen_();
    size_t k = n < sizeof v ? n : sizeof v;
    std::memcpy(p, &v, k);
    p += k;
    n -= k;
  }
}

}  // namespace base
