// Registration, sans-IO [whatsapp-protocol.md §5, §6]: the QR rotation
// schedule, the QR string, pair-success processing, and the pairing-code
// steps. Each function returns the new Creds and the stanza to send; the
// client persists the creds first and sends afterwards (persist, then use).
// Thread safety: QrRotation is a value used by one thread; the rest are pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/random.h"
#include "base/status.h"
#include "wa/binary/node.h"
#include "wa/client/creds.h"
#include "wa/iq/pair.h"
#include "wa/iq/pair_code.h"

namespace wa::client {

// The first QR lives 60 s, every later one 20 s, one ref each; when the refs
// are used up the connection ends (408 "QR refs attempts ended", §5.2).
inline constexpr int64_t kFirstQrMs = 60'000;
inline constexpr int64_t kNextQrMs = 20'000;

class QrRotation {
 public:
  QrRotation() = default;
  explicit QrRotation(std::vector<std::string> refs, int64_t first_ms = kFirstQrMs,
                      int64_t next_ms = kNextQrMs)
      : refs_(std::move(refs)), first_ms_(first_ms), next_ms_(next_ms) {}

  struct Entry {
    std::string ref;
    int64_t expires_at_ms = 0;
  };
  // The next ref and its expiry, counted from now_ms; nullopt when exhausted.
  std::optional<Entry> Next(int64_t now_ms);
  bool started() const { return !refs_.empty(); }
  // When the whole window ends if every ref is shown in turn from now.
  int64_t WindowEndMs(int64_t now_ms) const;

 private:
  std::vector<std::string> refs_;
  int64_t first_ms_ = kFirstQrMs;
  int64_t next_ms_ = kNextQrMs;
  size_t next_ = 0;
};

// The QR string for `ref` with our noise and identity keys (wa/pair/qr.h).
base::Result<std::string> BuildQrString(const Creds& creds, const std::string& ref);

// pair-success [§5.4]: checks the HMAC and account signature with our adv
// secret, signs as the device. On success: creds with me, account, key
// index, platform and registered = true, and the pair-device-sign reply.
// On failure: `error_reply` is the iq error to send (401 hmac-mismatch /
// signature-mismatch, 500 otherwise) and `status` why.
struct PairSuccessOutcome {
  Creds creds;
  Me me;
  binary::Node reply;
};
struct PairSuccessError {
  base::Status status;
  binary::Node error_reply;
};
struct PairSuccessResult {
  std::optional<PairSuccessOutcome> ok;
  std::optional<PairSuccessError> error;
};
PairSuccessResult HandlePairSuccess(const iq::PairSuccess& success, const Creds& creds,
                                    base::Random& random);

// Pairing code, step 1 [§6.1]: a fresh code, creds with pairing_code and a
// provisional me (the phone number), and the companion_hello iq.
// kInvalidArgument when `phone` is not 7..15 digits.
struct PairingCodeStart {
  Creds creds;
  std::string code;
  binary::Node hello;
};
base::Result<PairingCodeStart> StartPairingCode(const Creds& creds, const std::string& phone,
                                                base::Random& random);

// Pairing code, step 2 [§6.4]: on primary_hello, the adv secret derived
// from both sides and the companion_finish iq. kFailedPrecondition when no
// code was requested on this creds.
struct PairingCodeFinish {
  Creds creds;
  binary::Node finish;
};
base::Result<PairingCodeFinish> HandlePrimaryHello(const iq::PrimaryHello& hello,
                                                   const Creds& creds, base::Random& random);

}  // namespace wa::client
