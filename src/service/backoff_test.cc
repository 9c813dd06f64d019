#include "service/backoff.h"

#include <gtest/gtest.h>

namespace service {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, GrowsExponentiallyWithinTheJitterBand) {
  base::SeededRandom random(7);
  Backoff backoff({milliseconds(1000), milliseconds(60000), 2.0, 0.2});
  const int64_t expected[] = {1000, 2000, 4000, 8000, 16000, 32000};
  for (int64_t e : expected) {
    const int64_t d = backoff.Next(random).count();
    EXPECT_GE(d, e * 8 / 10);
    EXPECT_LE(d, e * 12 / 10);
  }
  EXPECT_EQ(backoff.attempts(), 6);
}

TEST(BackoffTest, NeverExceedsTheCapEvenAfterManyAttempts) {
  base::SeededRandom random(1);
  Backoff backoff({milliseconds(500), milliseconds(30000), 2.0, 0.5});
  for (int i = 0; i < 200; ++i) EXPECT_LE(backoff.Next(random).count(), 30000);
  // Past the cap the delays still spread (no lockstep reconnects).
  int64_t low = 30000;
  for (int i = 0; i < 50; ++i) low = std::min<int64_t>(low, backoff.Next(random).count());
  EXPECT_LT(low, 30000 * 8 / 10);
}

TEST(BackoffTest, ResetStartsOverFromInitial) {
  base::SeededRandom random(3);
  Backoff backoff({milliseconds(1000), milliseconds(60000), 2.0, 0.0});
  for (int i = 0; i < 5; ++i) backoff.Next(random);
  backoff.Reset();
  EXPECT_EQ(backoff.Next(random).count(), 1000);
  EXPECT_EQ(backoff.Next(random).count(), 2000);
}

}  // namespace
}  // namespace service
