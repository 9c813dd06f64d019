// Token dictionaries of WABinary [whatsapp-protocol.md §4.4]: 235 single-byte
// tokens (byte 1..235) and 4 double-byte dictionaries of 256 entries (tag byte
// 236+d, then the index). The data is generated from the pinned Baileys package
// (tokens_generated.inc, by tests/interop/scripts/gen_tokens.mjs); the
// string→token lookup is a hash table built at compile time.
//
// Thread safety: immutable data; every function is safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace wa::binary {

inline constexpr size_t kSingleByteTokenCount = 236;  // index 0 is "" and never emitted
inline constexpr size_t kDoubleByteDictionaryCount = 4;
inline constexpr size_t kDoubleByteDictionarySize = 256;

namespace internal {
extern const std::string_view* const kSingleByteTable;         // kSingleByteTokenCount
extern const std::string_view (*const kDoubleByteTable)[256];  // kDoubleByteDictionaryCount
}  // namespace internal

// The single-byte token `index`; "" for 0 and for indexes >= kSingleByteTokenCount.
inline std::string_view SingleByteToken(uint8_t index) {
  return index < kSingleByteTokenCount ? internal::kSingleByteTable[index] : std::string_view();
}
// Entry `index` of double-byte dictionary `dictionary`.
// REQUIRES: dictionary < kDoubleByteDictionaryCount.
inline std::string_view DoubleByteToken(uint8_t dictionary, uint8_t index) {
  return internal::kDoubleByteTable[dictionary][index];
}

struct TokenCode {
  bool is_double = false;
  uint8_t dictionary = 0;  // meaningful when is_double
  uint8_t index = 0;
};

// The token that encodes `text`, if any. Never returns single-byte token 0.
std::optional<TokenCode> FindToken(std::string_view text);

}  // namespace wa::binary
