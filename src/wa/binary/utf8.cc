#include "wa/binary/utf8.h"

#include <cstdint>
#include <cstring>

namespace wa::binary {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";

// Length of the valid sequence starting at p[0] (p < end), or 0 when the
// sequence is ill-formed; *maximal is then the length of its maximal subpart
// (the bytes one U+FFFD replaces, at least 1). WHATWG Encoding §4 "UTF-8 decoder".
size_t SequenceLength(const uint8_t* p, const uint8_t* end, size_t* maximal) {
  uint8_t b = p[0];
  size_t needed;
  uint8_t lower = 0x80, upper = 0xBF;
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) {
    needed = 1;
  } else if (b >= 0xE0 && b <= 0xEF) {
    if (b == 0xE0) lower = 0xA0;
    if (b == 0xED) upper = 0x9F;
    needed = 2;
  } else if (b >= 0xF0 && b <= 0xF4) {
    if (b == 0xF0) lower = 0x90;
    if (b == 0xF4) upper = 0x8F;
    needed = 3;
  } else {
    *maximal = 1;
    return 0;
  }
  size_t i = 1;
  for (; i <= needed; ++i) {
    if (p + i >= end || p[i] < lower || p[i] > upper) {
      *maximal = i;
      return 0;
    }
    lower = 0x80;
    upper = 0xBF;
  }
  return needed + 1;
}

// Number of leading ASCII bytes.
size_t AsciiPrefix(const uint8_t* p, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    if (word & 0x8080808080808080ULL) break;
  }
  while (i < n && p[i] < 0x80) ++i;
  return i;
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  const uint8_t* end = p + text.size();
  while (p < end) {
    p += AsciiPrefix(p, static_cast<size_t>(end - p));
    if (p == end) break;
    size_t maximal = 0;
    size_t length = SequenceLength(p, end, &maximal);
    if (length == 0) return false;
    p += length;
  }
  return true;
}

void AppendUtf8Lossy(std::string_view bytes, std::string* out) {
  const auto* begin = reinterpret_cast<const uint8_t*>(bytes.data());
  const uint8_t* p = begin;
  const uint8_t* end = p + bytes.size();
  const uint8_t* run = p;  // start of the valid run not yet copied
  while (p < end) {
    p += AsciiPrefix(p, static_cast<size_t>(end - p));
    if (p == end) break;
    size_t maximal = 0;
    size_t length = SequenceLength(p, end, &maximal);
    if (length != 0) {
      p += length;
      continue;
    }
    out->append(reinterpret_cast<const char*>(run), static_cast<size_t>(p - run));
    out->append(kReplacement, 3);
    p += maximal;
    run = p;
  }
  out->append(reinterpret_cast<const char*>(run), static_cast<size_t>(end - run));
}

void AssignUtf8Lossy(std::string_view bytes, std::string* out) {
  if (IsValidUtf8(bytes)) {
    out->assign(bytes.data(), bytes.size());
    return;
  }
  out->clear();
  AppendUtf8Lossy(bytes, out);
}

}  // namespace wa::binary
