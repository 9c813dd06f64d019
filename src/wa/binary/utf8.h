// UTF-8 checks and the lossy decoding Baileys applies to raw strings.
//
// Baileys reads every raw string (BINARY_8/20/32 in a string position) with
// Buffer.toString('utf8'), which follows the WHATWG Encoding Standard UTF-8
// decoder: each maximal ill-formed subsequence becomes one U+FFFD. We apply the
// same rule so our decoded strings equal Baileys' byte for byte, and so every
// string in a decoded Node is valid UTF-8 (and therefore valid JSON text).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace wa::binary {

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Appends `bytes` to *out, replacing ill-formed sequences by U+FFFD (EF BF BD)
// exactly as the WHATWG UTF-8 decoder does. Valid input is appended unchanged.
void AppendUtf8Lossy(std::string_view bytes, std::string* out);

// Assigns `bytes` to *out, lossy as above. Fast path for valid input.
void AssignUtf8Lossy(std::string_view bytes, std::string* out);

}  // namespace wa::binary
