#include "wa/signal/errors.h"

namespace wa::signal::internal {

std::string_view SignalErrorName(int code) {
  switch (code) {
    case SG_ERR_NOMEM:
      return "out of memory";
    case SG_ERR_INVAL:
      return "invalid argument";
    case SG_ERR_UNKNOWN:
      return "unknown error";
    case SG_ERR_DUPLICATE_MESSAGE:
      return "duplicate message";
    case SG_ERR_INVALID_KEY:
      return "invalid key";
    case SG_ERR_INVALID_KEY_ID:
      return "invalid key id";
    case SG_ERR_INVALID_MAC:
      return "invalid MAC";
    case SG_ERR_INVALID_MESSAGE:
      return "invalid message";
    case SG_ERR_INVALID_VERSION:
      return "invalid version";
    case SG_ERR_LEGACY_MESSAGE:
      return "legacy message";
    case SG_ERR_NO_SESSION:
      return "no session";
    case SG_ERR_STALE_KEY_EXCHANGE:
      return "stale key exchange";
    case SG_ERR_UNTRUSTED_IDENTITY:
      return "untrusted identity";
    case SG_ERR_VRF_SIG_VERIF_FAILED:
      return "VRF signature verification failed";
    case SG_ERR_INVALID_PROTO_BUF:
      return "invalid protobuf";
    case SG_ERR_FP_VERSION_MISMATCH:
      return "fingerprint version mismatch";
    case SG_ERR_FP_IDENT_MISMATCH:
      return "fingerprint identity mismatch";
    default:
      return "unknown";
  }
}

base::Status SignalError(int code, std::string_view what) {
  base::Code status_code = base::Code::kInternal;
  switch (code) {
    case SG_ERR_DUPLICATE_MESSAGE:
      status_code = base::Code::kAlreadyExists;
      break;
    case SG_ERR_NO_SESSION:
    case SG_ERR_INVALID_KEY_ID:
      status_code = base::Code::kNotFound;
      break;
    case SG_ERR_INVALID_MAC:
    case SG_ERR_INVALID_MESSAGE:
    case SG_ERR_INVALID_VERSION:
    case SG_ERR_LEGACY_MESSAGE:
    case SG_ERR_INVALID_PROTO_BUF:
      status_code = base::Code::kDataLoss;
      break;
    case SG_ERR_INVALID_KEY:
    case SG_ERR_INVAL:
      status_code = base::Code::kInvalidArgument;
      break;
    case SG_ERR_UNTRUSTED_IDENTITY:
      status_code = base::Code::kPermissionDenied;
      break;
    case SG_ERR_VRF_SIG_VERIF_FAILED:
      status_code = base::Code::kUnauthenticated;
      break;
    case SG_ERR_STALE_KEY_EXCHANGE:
      status_code = base::Code::kFailedPrecondition;
      break;
    case SG_ERR_NOMEM:
      status_code = base::Code::kResourceExhausted;
      break;
    default:
      break;
  }
  std::string message(what);
  message += ": ";
  message += SignalErrorName(code);
  message += " (" + std::to_string(code) + ")";
  return base::Status(status_code, std::move(message));
}

base::Status ParseError(int code, std::string_view what) {
  base::Status status = SignalError(code, what);
  if (code == SG_ERR_NOMEM) return status;
  return base::DataLoss(status.message());
}

}  // namespace wa::signal::internal
