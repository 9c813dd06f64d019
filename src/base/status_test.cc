#include "base/status.h"

#include <gtest/gtest.h>

namespace base {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  WAGATE_ASSIGN_OR_RETURN(int h, Half(x));
  WAGATE_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(Status, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(Status, ContextIsPrefixed) {
  Status s = NotFound("chat x").WithContext("list messages");
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "list messages: chat x");
  EXPECT_EQ(s.ToString(), "NotFound: list messages: chat x");
  EXPECT_TRUE(Status().WithContext("x").ok());
}

TEST(Result, PropagatesErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd: 3");
  EXPECT_TRUE(Quarter(4).status().ok());
}

}  // namespace
}  // namespace base
