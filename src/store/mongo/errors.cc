#include "store/mongo/errors.h"

#include <mongoc/mongoc.h>

#include <string>

namespace store::mongo {
namespace {

// Server error codes meaning "this server cannot serve now", from the
// MongoDB error code list (src/mongo/base/error_codes.yml): the retryable
// and shutdown families. A client may retry them once the server is back.
bool IsServerUnavailableCode(uint32_t code) {
  switch (code) {
    case 6:      // HostUnreachable
    case 7:      // HostNotFound
    case 89:     // NetworkTimeout
    case 91:     // ShutdownInProgress
    case 189:    // PrimarySteppedDown
    case 9001:   // SocketException
    case 10107:  // NotWritablePrimary
    case 11600:  // InterruptedAtShutdown
    case 11602:  // InterruptedDueToReplStateChange
    case 13435:  // NotPrimaryNoSecondaryOk
    case 13436:  // NotPrimaryOrSecondary
      return true;
    default:
      return false;
  }
}

base::Code Classify(const bson_error_t& error) {
  switch (error.domain) {
    case MONGOC_ERROR_STREAM:
    case MONGOC_ERROR_SERVER_SELECTION:
      return base::Code::kUnavailable;
    case MONGOC_ERROR_SASL:
    case MONGOC_ERROR_SCRAM:
      return base::Code::kUnavailable;
    case MONGOC_ERROR_CLIENT:
      // A document over the server's size limit is the caller's input;
      // authentication failures and the rest mean the database is not
      // usable by us right now.
      if (error.code == MONGOC_ERROR_CLIENT_TOO_BIG) return base::Code::kInvalidArgument;
      return base::Code::kUnavailable;
    default:
      break;
  }
  if (IsDuplicateKey(error)) return base::Code::kAlreadyExists;
  if (error.code == 50) return base::Code::kDeadlineExceeded;  // MaxTimeMSExpired
  if (IsServerUnavailableCode(error.code)) return base::Code::kUnavailable;
  return base::Code::kInternal;
}

}  // namespace

base::Status ToStatus(const bson_error_t& error, std::string_view context) {
  std::string message = "mongo: ";
  message.append(context);
  message += ": ";
  message += error.message[0] != '\0' ? error.message : "unknown error";
  return base::Status(Classify(error), std::move(message));
}

base::Status Error(base::Code code, std::string_view context, std::string_view detail) {
  std::string message = "mongo: ";
  message.append(context);
  message += ": ";
  message.append(detail);
  return base::Status(code, std::move(message));
}

bool IsDuplicateKey(const bson_error_t& error) {
  // Stream and selection errors use small codes of their own domains.
  if (error.domain == MONGOC_ERROR_STREAM || error.domain == MONGOC_ERROR_SERVER_SELECTION) {
    return false;
  }
  return error.code == 11000 || error.code == 11001 || error.code == 12582;
}

}  // namespace store::mongo
