#include "base/tls_client.h"

#include <gtest/gtest.h>

#include <boost/asio/ssl/context.hpp>

namespace base {
namespace {

TEST(TlsClientContext, SystemCasAloneOrWithAReadableExtraFile) {
  auto plain = NewTlsClientContext("");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_NE(*plain, nullptr);
}

TEST(TlsClientContext, UnreadableCaFileIsInvalidArgumentNamingIt) {
  auto bad = NewTlsClientContext("/nonexistent/wagate-ca.pem");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("/nonexistent/wagate-ca.pem"), std::string::npos);
}

}  // namespace
}  // namespace base
