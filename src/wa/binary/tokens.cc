#include "wa/binary/tokens.h"

#include <array>
#include <string_view>

namespace wa::binary {
namespace {

#include "wa/binary/tokens_generated.inc"

static_assert(std::size(kSingleByteTokens) == kSingleByteTokenCount);
static_assert(std::size(kDoubleByteTokens) == kDoubleByteDictionaryCount);

// Every token has a code: single-byte token i (1..235) is i; entry j of
// dictionary d is kSingleByteTokenCount + 256 d + j. Code 0 marks a free slot.
constexpr size_t kTokenCount =
    kSingleByteTokenCount + kDoubleByteDictionaryCount * kDoubleByteDictionarySize;
constexpr size_t kTableSize = 4096;  // power of two, load factor ~0.3
static_assert(kTokenCount < kTableSize / 2);

constexpr std::string_view TokenOfCode(size_t code) {
  if (code < kSingleByteTokenCount) return kSingleByteTokens[code];
  code -= kSingleByteTokenCount;
  return kDoubleByteTokens[code / kDoubleByteDictionarySize][code % kDoubleByteDictionarySize];
}

// FNV-1a, 32 bit.
constexpr uint32_t Hash(std::string_view text) {
  uint32_t h = 2166136261u;
  for (char c : text) {
    h ^= static_cast<uint8_t>(c);
    h *= 16777619u;
  }
  return h;
}

struct Table {
  std::array<uint16_t, kTableSize> slots{};
  size_t max_length = 0;
  size_t max_probe = 0;
};

constexpr Table BuildTable() {
  Table table;
  for (size_t code = 1; code < kTokenCount; ++code) {
    std::string_view token = TokenOfCode(code);
    if (token.size() > table.max_length) table.max_length = token.size();
    size_t slot = Hash(token) & (kTableSize - 1);
    size_t probe = 0;
    while (table.slots[slot] != 0) {
      slot = (slot + 1) & (kTableSize - 1);
      ++probe;
    }
    table.slots[slot] = static_cast<uint16_t>(code);
    if (probe > table.max_probe) table.max_probe = probe;
  }
  return table;
}

constexpr Table kTable = BuildTable();
static_assert(kTable.max_probe < 16, "token hash table clusters; change the hash");

}  // namespace

namespace internal {
const std::string_view* const kSingleByteTable = kSingleByteTokens;
const std::string_view (*const kDoubleByteTable)[256] = kDoubleByteTokens;
}  // namespace internal

std::optional<TokenCode> FindToken(std::string_view text) {
  if (text.empty() || text.size() > kTable.max_length) return std::nullopt;
  size_t slot = Hash(text) & (kTableSize - 1);
  while (uint16_t code = kTable.slots[slot]) {
    if (TokenOfCode(code) == text) {
      if (code < kSingleByteTokenCount) return TokenCode{false, 0, static_cast<uint8_t>(code)};
      size_t rest = code - kSingleByteTokenCount;
      return TokenCode{true, static_cast<uint8_t>(rest / kDoubleByteDictionarySize),
                       static_cast<uint8_t>(rest % kDoubleByteDictionarySize)};
    }
    slot = (slot + 1) & (kTableSize - 1);
  }
  return std::nullopt;
}

}  // namespace wa::binary
