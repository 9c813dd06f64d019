// Byte/text encodings: hex, base64 (standard and URL-safe), with strict
// decoders that reject malformed input instead of guessing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace base {

// Lower-case hex of the bytes of `data`.
std::string HexEncode(std::string_view data);
// Accepts upper or lower case; odd length or a non-hex character is an error.
Result<std::string> HexDecode(std::string_view hex);

// RFC 4648 base64 with padding.
std::string Base64Encode(std::string_view data);
// RFC 4648 §5 base64url without padding.
std::string Base64UrlEncode(std::string_view data);
// Accepts both alphabets, with or without padding; anything else is an error.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace base
