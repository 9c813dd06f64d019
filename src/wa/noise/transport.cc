#include "wa/noise/transport.h"

#include "wa/noise/handshake_state.h"

namespace wa::noise {
namespace {

constexpr uint64_t kCounterLimit = uint64_t{1} << 32;

}  // namespace

base::Result<TransportCipher> TransportCipher::Create(std::string_view key,
                                                      uint64_t first_counter) {
  if (first_counter > kCounterLimit) {
    return base::InvalidArgument("noise: transport: counter beyond 2^32");
  }
  auto aes = crypto::AesGcm::Create(key);
  if (!aes.ok()) return aes.status().WithContext("noise: transport");
  return TransportCipher(std::move(aes).value(), first_counter);
}

base::Result<std::string> TransportCipher::Seal(std::string_view plaintext) {
  if (counter_ >= kCounterLimit) {
    return base::ResourceExhausted("noise: transport: send counter exhausted");
  }
  auto c = aes_.Seal(NonceIv(static_cast<uint32_t>(counter_)), plaintext, {});
  if (!c.ok()) return c.status().WithContext("noise: transport: encrypt");
  ++counter_;
  return c;
}

base::Result<std::string> TransportCipher::Open(std::string_view ciphertext) {
  if (failed_) {
    return base::FailedPrecondition("noise: transport: receive side failed earlier");
  }
  if (counter_ >= kCounterLimit) {
    return base::ResourceExhausted("noise: transport: receive counter exhausted");
  }
  auto p = aes_.Open(NonceIv(static_cast<uint32_t>(counter_)), ciphertext, {});
  if (!p.ok()) {
    failed_ = true;
    return p.status().WithContext("noise: transport: frame " + std::to_string(counter_));
  }
  ++counter_;
  return p;
}

base::Result<Transport> Transport::Create(std::string_view send_key, std::string_view recv_key) {
  WAGATE_ASSIGN_OR_RETURN(TransportCipher send, TransportCipher::Create(send_key));
  WAGATE_ASSIGN_OR_RETURN(TransportCipher recv, TransportCipher::Create(recv_key));
  return Transport(std::move(send), std::move(recv));
}

}  // namespace wa::noise
