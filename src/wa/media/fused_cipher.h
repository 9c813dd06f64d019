// The fast paths of media encryption on x86-64 CPUs with AES-NI and SHA-NI
// [whatsapp-protocol.md §10.1]: AES-256-CBC, HMAC-SHA256 over iv ‖ ciphertext,
// SHA-256 of the plaintext and SHA-256 of the ciphertext in ONE pass.
//
// Why fused: CBC encryption is a serial chain of AES rounds and each SHA-256
// stream is a serial chain of SHA rounds; each chain alone is latency-bound
// and leaves most execution ports idle. Running the four chains in the same
// loop lets the out-of-order core overlap them, so the whole job costs about
// as much as the CBC chain alone instead of the sum of four passes. The loop
// has a second build for CPUs with AVX-512VL, whose extra registers hold the
// AES state while SHA-NI (xmm0-15 only) keeps the hash states.
//
// MediaEncryptor uses FusedEncryptor, and MediaDecryptor / DecryptMedia hash
// with NiMediaHashes (the two ciphertext hashes together), after
// FusedCipherAvailable(); other CPUs keep the OpenSSL path. All produce the
// same bytes (fused_cipher_test.cc checks them against OpenSSL).
//
// Thread safety: FusedEncryptor and the hash objects are used by one thread
// at a time; the free functions are safe from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace wa::media::internal {

// True when the CPU has AES-NI, SHA-NI, SSSE3 and SSE4.1 and the fused path
// has not been disabled by SetFusedCipherEnabledForTesting(false).
bool FusedCipherAvailable();
// Lets tests run MediaEncryptor's OpenSSL path on a CPU that has the fused one.
void SetFusedCipherEnabledForTesting(bool enabled);
// The fused encryption loop has a second build for CPUs with AVX-512VL (more
// vector registers); this lets tests run the first build on such a CPU.
void SetWideRegistersEnabledForTesting(bool enabled);

// Incremental SHA-256 on SHA-NI. REQUIRES: FusedCipherAvailable() (ignoring
// the testing switch) for every method.
class Sha256Ni {
 public:
  Sha256Ni();
  void Update(const uint8_t* data, size_t size);
  void Update(std::string_view data) {
    Update(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  }
  std::array<uint8_t, 32> Finish();

  // Bytes waiting for a full 64-byte block.
  size_t buffered() const { return static_cast<size_t>(length_ % 64); }

 private:
  friend class FusedEncryptor;
  friend void HashTogether(Sha256Ni*, std::string_view, Sha256Ni*, std::string_view);
  uint32_t h_[8];
  uint64_t length_ = 0;
  uint8_t buffer_[64];
};

// HMAC-SHA256 (RFC 2104) on Sha256Ni.
class HmacSha256Ni {
 public:
  explicit HmacSha256Ni(std::string_view key);
  void Update(const uint8_t* data, size_t size) { inner_.Update(data, size); }
  void Update(std::string_view data) { inner_.Update(data); }
  std::array<uint8_t, 32> Finish();
  // The hash of key ^ ipad ‖ message, for HashTogether.
  Sha256Ni* inner() { return &inner_; }

 private:
  friend class FusedEncryptor;
  Sha256Ni inner_;
  uint8_t outer_key_[64];
};

// a->Update(a_data) and b->Update(b_data) in one loop, so the two latency-bound
// SHA-256 chains overlap (decryption hashes the ciphertext twice: MAC and
// fileEncSha256). REQUIRES: as Sha256Ni.
void HashTogether(Sha256Ni* a, std::string_view a_data, Sha256Ni* b, std::string_view b_data);

// The three hashes of a download when FusedCipherAvailable(): MediaDecryptor
// and DecryptMedia run them on SHA-NI with the two ciphertext hashes together.
struct NiMediaHashes {
  explicit NiMediaHashes(std::string_view mac_key) : mac(mac_key) {}
  HmacSha256Ni mac;
  Sha256Ni plain_sha;
  Sha256Ni enc_sha;
};

// The whole media encryption state. Update/Finish mirror MediaEncryptor's.
class FusedEncryptor {
 public:
  // REQUIRES: FusedCipherAvailable(); key is 32 bytes, iv 16 bytes.
  FusedEncryptor(std::string_view key, std::string_view iv, std::string_view mac_key);
  ~FusedEncryptor();

  // Appends the ciphertext of every whole block available to *out.
  void Update(std::string_view plaintext, std::string* out);
  // Appends the padded last block and the first `mac_size` bytes of the MAC.
  void Finish(size_t mac_size, std::string* out, std::array<uint8_t, 32>* file_sha256,
              std::array<uint8_t, 32>* file_enc_sha256);

 private:
  // Encrypts `blocks` whole blocks and hashes them one stream at a time
  // (the plaintext too unless !hash_plain).
  void EncryptBlocks(const uint8_t* in, size_t blocks, uint8_t* out, bool hash_plain = true);
  // Encrypts `chunks` 64-byte chunks with the fused loop. REQUIRES: the two
  // SHA-256 streams are at a block boundary and the MAC holds 16 bytes.
  void EncryptChunks(const uint8_t* in, size_t chunks, uint8_t* out);

  alignas(16) uint8_t round_keys_[15 * 16];
  alignas(16) uint8_t chain_[16];
  uint8_t pending_[16];
  size_t pending_size_ = 0;
  Sha256Ni plain_sha_;
  HmacSha256Ni mac_;
  Sha256Ni enc_sha_;
};

}  // namespace wa::media::internal
