// Parsing JSON text from clients with errors that say what and where, in
// the words of JSON.parse (what a NestJS service answers for a malformed
// body): "Unexpected token } in JSON at position 10", "Unexpected end of
// JSON input". Thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>

#include "base/status.h"

namespace api {

// One complete JSON value; only whitespace may follow it. Nesting is
// bounded (Boost.JSON's default depth of 32).
base::Result<boost::json::value> ParseJsonText(std::string_view text);

}  // namespace api
