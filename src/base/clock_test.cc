#include "base/clock.h"

#include <gtest/gtest.h>

namespace base {
namespace {

TEST(Iso8601, FormatsUtcWithMillis) {
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(1'700'000'000'123), "2023-11-14T22:13:20.123Z");
}

TEST(Iso8601, FormatsLeapDaysAndNegativeTimes) {
  EXPECT_EQ(FormatIso8601(951'782'400'000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(4'107'542'399'999), "2100-02-28T23:59:59.999Z");
  EXPECT_EQ(FormatIso8601(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatIso8601(253'402'300'799'999), "9999-12-31T23:59:59.999Z");
}

TEST(Iso8601, ParsesWhatItFormats) {
  for (int64_t ms : {int64_t{0}, int64_t{951'782'400'000}, int64_t{1'700'000'000'123}}) {
    EXPECT_EQ(*ParseIso8601(FormatIso8601(ms)), ms);
  }
  EXPECT_EQ(*ParseIso8601("2023-11-14T22:13:20Z"), 1'700'000'000'000);
  EXPECT_EQ(*ParseIso8601("2023-11-14T22:13:20.1+00:00"), 1'700'000'000'100);
}

TEST(Iso8601, RejectsGarbage) {
  EXPECT_FALSE(ParseIso8601("yesterday").ok());
  EXPECT_FALSE(ParseIso8601("2023-11-14 22:13:20Z").ok());
  EXPECT_FALSE(ParseIso8601("2023-13-14T22:13:20Z").ok());
  EXPECT_FALSE(ParseIso8601("2023-11-14T22:13:20+02:00").ok());
}

TEST(FakeClock, Advances) {
  FakeClock c(1000);
  c.AdvanceMs(500);
  EXPECT_EQ(c.NowMs(), 1500);
}

}  // namespace
}  // namespace base
