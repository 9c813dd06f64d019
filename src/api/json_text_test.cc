#include "api/json_text.h"

#include <gtest/gtest.h>

namespace api {
namespace {

TEST(ParseJsonText, AcceptsOneValueWithWhitespace) {
  auto v = ParseJsonText(" {\"a\": [1, 2]} \n");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->at("a").as_array().size(), 2u);
}

TEST(ParseJsonText, SaysWhatAndWhere) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"", "Unexpected end of JSON input"},
      {"{\"a\":", "Unexpected end of JSON input"},
      {"{\"a\":1,}", "Unexpected token } in JSON at position 7"},
      {"{a:1}", "Unexpected token a in JSON at position 1"},
      {"{\"a\":1} x", "Unexpected token x in JSON at position 8"},
      {"{\"a\":1}{}", "Unexpected token { in JSON at position 7"},
      {"[1,\x01]", "Unexpected token \\x01 in JSON at position 3"},
  };
  for (const Case& c : cases) {
    auto v = ParseJsonText(c.text);
    ASSERT_FALSE(v.ok()) << c.text;
    EXPECT_EQ(v.status().code(), base::Code::kInvalidArgument);
    EXPECT_EQ(v.status().message(), c.message) << c.text;
  }
}

TEST(ParseJsonText, BoundsNesting) {
  std::string deep(100, '[');
  deep += std::string(100, ']');
  EXPECT_FALSE(ParseJsonText(deep).ok());
}

}  // namespace
}  // namespace api
