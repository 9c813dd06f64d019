// The TLS context of an HTTPS or WSS client: the system's trusted CAs plus,
// when given, an extra CA file (wasim's self-signed certificates in tests and
// the demo), peer verification on. One place, so the WhatsApp connection, the
// media hosts and mediaUrl downloads trust the same roots.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace base {

// Errors: kUnavailable when the system CAs cannot be loaded, kInvalidArgument
// when `ca_file` cannot be read as PEM. Parsing the system bundle costs
// milliseconds: make one per connection or per process, not per request.
Result<std::shared_ptr<boost::asio::ssl::context>> NewTlsClientContext(const std::string& ca_file);

}  // namespace base
