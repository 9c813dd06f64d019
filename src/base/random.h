// Random: the one seam for randomness. Secure bytes come from the OS
// (getrandom); tests inject a seeded generator.
// Thread safety: SecureRandom is safe from any thread; SeededRandom is not.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace base {

class Random {
 public:
  virtual ~Random() = default;
  virtual void Fill(void* out, size_t n) = 0;

  std::string Bytes(size_t n);
  uint64_t Uint64();
  // A random string of `n` characters drawn from `alphabet` without modulo bias.
  std::string Token(size_t n, std::string_view alphabet);
};

class SecureRandom final : public Random {
 public:
  void Fill(void* out, size_t n) override;
  static SecureRandom& Instance();
};

// Deterministic, for tests only.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : gen_(seed) {}
  void Fill(void* out, size_t n) override;

 private:
  std::mt19937_64 gen_;
};

}  // namespace base
