#include "wa/binary/utf8.h"

#include <gtest/gtest.h>

namespace wa::binary {
namespace {

std::string Lossy(std::string_view bytes) {
  std::string out;
  AssignUtf8Lossy(bytes, &out);
  return out;
}

constexpr std::string_view kFffd = "\xEF\xBF\xBD";

TEST(Utf8, AcceptsWellFormedText) {
  for (std::string_view ok : std::initializer_list<std::string_view>{
           "", "plain ascii that is longer than eight bytes", "\xC3\xA9", "\xE2\x82\xAC",
           "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF", std::string_view("a\0b", 3)}) {
    EXPECT_TRUE(IsValidUtf8(ok)) << ok;
    EXPECT_EQ(Lossy(ok), ok);
  }
}

// Expected replacements follow the WHATWG Encoding Standard UTF-8 decoder
// (maximal subparts), which Node's Buffer.toString('utf8') implements.
TEST(Utf8, ReplacesMaximalSubpartsLikeWhatwg) {
  auto r = [](int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += kFffd;
    return out;
  };
  EXPECT_EQ(Lossy("\x80"), r(1));
  EXPECT_EQ(Lossy("\xFF"), r(1));
  EXPECT_EQ(Lossy("\xC0\xAF"), r(2));          // overlong lead bytes
  EXPECT_EQ(Lossy("\xE0\x80\x80"), r(3));      // overlong 3-byte
  EXPECT_EQ(Lossy("\xED\xA0\x80"), r(3));      // surrogate
  EXPECT_EQ(Lossy("\xF4\x90\x80\x80"), r(4));  // > U+10FFFF
  EXPECT_EQ(Lossy("\xF0\x9F\x98"), r(1));      // truncated 4-byte: one subpart
  EXPECT_EQ(Lossy("\xE2\x82"), r(1));
  EXPECT_EQ(Lossy("a\xC3"), "a" + r(1));
  EXPECT_EQ(Lossy("\xE2\x82x"), r(1) + "x");  // the breaking byte is re-read
  EXPECT_EQ(Lossy("ok\xF0\x9F\x98\x80\xFFok"), "ok\xF0\x9F\x98\x80" + r(1) + "ok");
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));
  EXPECT_TRUE(IsValidUtf8(Lossy("\xE2\x82\xFF\xC0")));
}

}  // namespace
}  // namespace wa::binary
