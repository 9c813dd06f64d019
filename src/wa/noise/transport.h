// The Noise transport phase [whatsapp-protocol.md §2.4]: after the handshake
// each direction has its own AES-256-GCM key (from SymmetricState::Split: the
// initiator writes with the first key and reads with the second, the
// responder the other way round [§2.2 step 5]) and its own counter from 0,
// iv = 00×8 ‖ u32be(counter), empty AAD, 16-byte tag appended.
//
// Frame payloads in, frame payloads out (framing is wa/noise/frame.h).
// Errors: a frame that does not authenticate → kDataLoss "noise: transport:
// ..."; after it the receiving direction is failed for good (the counters can
// no longer agree), every later Decrypt returns kFailedPrecondition. A counter
// that would pass 2^32-1 → kResourceExhausted (the IV holds 32 bits; a new
// connection is needed).
// Thread safety: one Transport per connection; Encrypt and Decrypt each touch
// only their own direction, so one writer thread and one reader thread may
// use them concurrently, but not two writers or two readers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "wa/crypto/aes_gcm.h"

namespace wa::noise {

// One direction: a key and its counter.
class TransportCipher {
 public:
  // `first_counter` lets tests start near the end of the counter space.
  static base::Result<TransportCipher> Create(std::string_view key, uint64_t first_counter = 0);

  base::Result<std::string> Seal(std::string_view plaintext);
  base::Result<std::string> Open(std::string_view ciphertext);

  // The counter the next frame will use.
  uint64_t counter() const { return counter_; }

 private:
  TransportCipher(crypto::AesGcm aes, uint64_t counter) : aes_(std::move(aes)), counter_(counter) {}
  crypto::AesGcm aes_;
  uint64_t counter_;
  bool failed_ = false;
};

class Transport {
 public:
  static base::Result<Transport> Create(std::string_view send_key, std::string_view recv_key);
  Transport(TransportCipher send, TransportCipher recv)
      : send_(std::move(send)), recv_(std::move(recv)) {}

  base::Result<std::string> Encrypt(std::string_view plaintext) { return send_.Seal(plaintext); }
  base::Result<std::string> Decrypt(std::string_view ciphertext) { return recv_.Open(ciphertext); }

  uint64_t send_counter() const { return send_.counter(); }
  uint64_t recv_counter() const { return recv_.counter(); }

 private:
  TransportCipher send_;
  TransportCipher recv_;
};

}  // namespace wa::noise
