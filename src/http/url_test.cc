#include "http/url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace http {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(PercentDecode, DecodesEscapesInEitherCase) {
  EXPECT_EQ(PercentDecode("15551234567%40s.whatsapp.net"), "15551234567@s.whatsapp.net");
  EXPECT_EQ(PercentDecode("a%2fb%2Fc"), "a/b/c");
  EXPECT_EQ(PercentDecode("%C3%A9t%C3%A9"), "\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(PercentDecode(""), "");
}

TEST(PercentDecode, PlusIsSpaceOnlyWhenAsked) {
  EXPECT_EQ(PercentDecode("a+b"), "a+b");
  EXPECT_EQ(PercentDecode("a+b", /*plus_as_space=*/true), "a b");
  EXPECT_EQ(PercentDecode("a%2Bb", /*plus_as_space=*/true), "a+b");
}

TEST(PercentDecode, RejectsMalformedEscapes) {
  EXPECT_EQ(PercentDecode("%"), std::nullopt);
  EXPECT_EQ(PercentDecode("abc%4"), std::nullopt);
  EXPECT_EQ(PercentDecode("%zz"), std::nullopt);
  EXPECT_EQ(PercentDecode("%%41"), std::nullopt);
}

TEST(PercentDecodeLenient, KeepsMalformedEscapes) {
  EXPECT_EQ(PercentDecodeLenient("100%", false), "100%");
  EXPECT_EQ(PercentDecodeLenient("%zz%41", false), "%zzA");
}

TEST(SplitTarget, SeparatesPathQueryAndDropsFragment) {
  Target t = SplitTarget("/a/b?x=1&y=2");
  EXPECT_EQ(t.path, "/a/b");
  EXPECT_EQ(t.query, "x=1&y=2");
  t = SplitTarget("/a");
  EXPECT_EQ(t.path, "/a");
  EXPECT_EQ(t.query, "");
  t = SplitTarget("/a?q=1#frag");
  EXPECT_EQ(t.query, "q=1");
  t = SplitTarget("/a?");
  EXPECT_EQ(t.path, "/a");
  EXPECT_EQ(t.query, "");
}

TEST(Query, ParsesPairsInOrderWithDecoding) {
  const Query q = Query::Parse("limit=50&before=abc%3D%3D&name=J%C3%BCrgen+M&a=1&a=2");
  EXPECT_EQ(q.Get("limit"), "50");
  EXPECT_EQ(q.Get("before"), "abc==");
  EXPECT_EQ(q.Get("name"), "J\xC3\xBCrgen M");
  EXPECT_EQ(q.Get("a"), "1");
  EXPECT_THAT(q.GetAll("a"), ElementsAre("1", "2"));
  EXPECT_EQ(q.Get("missing"), std::nullopt);
  EXPECT_FALSE(q.Has("missing"));
}

TEST(Query, HandlesFlagsEmptyPiecesAndOddInput) {
  const Query q = Query::Parse("&flag&=nameless&empty=&x=1=2&&pct=100%&");
  EXPECT_THAT(q.entries(), ElementsAre(Pair("flag", ""), Pair("empty", ""), Pair("x", "1=2"),
                                       Pair("pct", "100%")));
  EXPECT_TRUE(Query::Parse("").empty());
}

TEST(Query, StopsAtThePairLimit) {
  std::string raw;
  for (size_t i = 0; i < Query::kMaxPairs + 10; ++i) raw += "k=v&";
  EXPECT_EQ(Query::Parse(raw).size(), Query::kMaxPairs);
}

TEST(Params, GetsByName) {
  Params p;
  p.Add("jid", "15550100001@s.whatsapp.net");
  EXPECT_EQ(p.Get("jid"), "15550100001@s.whatsapp.net");
  EXPECT_EQ(p.Get("id"), std::nullopt);
  EXPECT_EQ(p.size(), 1u);
}

}  // namespace
}  // namespace http
