// libsignal-protocol-c return codes → base::Status, and small RAII holders
// for libsignal objects. Internal to wa/signal (the public headers expose no
// libsignal type), but tests include it.
//
// Mapping (every negative code has one; the message names the code and the
// operation, e.g. "decrypt msg 15550002222.0: duplicate message (-1001)"):
//   SG_ERR_DUPLICATE_MESSAGE                         → kAlreadyExists
//   SG_ERR_NO_SESSION, SG_ERR_INVALID_KEY_ID          → kNotFound
//   SG_ERR_INVALID_MAC, _INVALID_MESSAGE, _INVALID_VERSION, _LEGACY_MESSAGE,
//   _INVALID_PROTO_BUF                               → kDataLoss
//   SG_ERR_INVALID_KEY, SG_ERR_INVAL                 → kInvalidArgument
//   SG_ERR_UNTRUSTED_IDENTITY                        → kPermissionDenied
//   SG_ERR_VRF_SIG_VERIF_FAILED                      → kUnauthenticated
//   SG_ERR_STALE_KEY_EXCHANGE                        → kFailedPrecondition
//   SG_ERR_NOMEM                                     → kResourceExhausted
//   (ParseError: any failure to parse received bytes → kDataLoss)
//   anything else                                    → kInternal
// Thread safety: pure functions; the holders are single-owner values.
#pragma once

#include <signal/signal_protocol.h>

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace wa::signal::internal {

// Name of a libsignal error code ("invalid MAC"), "unknown" if unlisted.
std::string_view SignalErrorName(int code);

// REQUIRES: code < 0.
base::Status SignalError(int code, std::string_view what);
// For a failed *_deserialize of received bytes: malformed input is kDataLoss
// whatever libsignal calls it (SG_ERR_INVAL for short input, ...).
base::Status ParseError(int code, std::string_view what);

// Unrefs any libsignal reference-counted object (SIGNAL_UNREF).
struct SignalUnref {
  void operator()(void* p) const {
    if (p != nullptr) signal_type_unref(static_cast<signal_type_base*>(p));
  }
};
template <typename T>
using SignalPtr = std::unique_ptr<T, SignalUnref>;

struct BufferFree {
  void operator()(signal_buffer* b) const { signal_buffer_bzero_free(b); }
};
using Buffer = std::unique_ptr<signal_buffer, BufferFree>;

inline std::string BufferString(const signal_buffer* b) {
  if (b == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(signal_buffer_const_data(b)),
                     signal_buffer_len(b));
}

inline const uint8_t* U8(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

}  // namespace wa::signal::internal
