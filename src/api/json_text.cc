#include "api/json_text.h"

#include <boost/json/stream_parser.hpp>
#include <string>

namespace api {
namespace {

std::string Token(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string(1, c);
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", u);
  return buf;
}

base::Status UnexpectedAt(std::string_view text, size_t pos) {
  if (pos >= text.size()) return base::InvalidArgument("Unexpected end of JSON input");
  return base::InvalidArgument("Unexpected token " + Token(text[pos]) + " in JSON at position " +
                               std::to_string(pos));
}

}  // namespace

base::Result<boost::json::value> ParseJsonText(std::string_view text) {
  boost::json::stream_parser p;
  boost::system::error_code ec;
  size_t used = p.write_some(text.data(), text.size(), ec);
  if (ec) return UnexpectedAt(text, used);
  if (used < text.size()) return UnexpectedAt(text, used);  // a second value follows
  p.finish(ec);
  if (ec) return base::InvalidArgument("Unexpected end of JSON input");
  return p.release();
}

}  // namespace api
