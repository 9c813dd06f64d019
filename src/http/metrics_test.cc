#include "http/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Metrics, RendersCountersAndCumulativeHistogram) {
  Metrics m;
  m.Observe("/health", "GET", 200, 0.0004);  // first bucket
  m.Observe("/health", "GET", 200, 0.003);   // le=0.005
  m.Observe("/health", "GET", 200, 7.0);     // only +Inf
  const std::string text = m.RenderPrometheus();

  EXPECT_THAT(text, HasSubstr("# TYPE wagate_http_requests_total counter\n"));
  EXPECT_THAT(
      text,
      HasSubstr("wagate_http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE wagate_http_request_duration_seconds histogram\n"));
  const std::string labels = "method=\"GET\",route=\"/health\",status=\"200\"";
  EXPECT_THAT(text, HasSubstr("wagate_http_request_duration_seconds_bucket{" + labels +
                              ",le=\"0.0005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("wagate_http_request_duration_seconds_bucket{" + labels +
                              ",le=\"0.0025\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("wagate_http_request_duration_seconds_bucket{" + labels +
                              ",le=\"0.005\"} 2\n"));
  EXPECT_THAT(
      text, HasSubstr("wagate_http_request_duration_seconds_bucket{" + labels + ",le=\"5\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("wagate_http_request_duration_seconds_bucket{" + labels +
                              ",le=\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("wagate_http_request_duration_seconds_sum{" + labels + "} 7.0034\n"));
  EXPECT_THAT(text, HasSubstr("wagate_http_request_duration_seconds_count{" + labels + "} 3\n"));
}

TEST(Metrics, BucketBoundIsInclusive) {
  Metrics m;
  m.Observe("/r", "GET", 200, 0.001);
  EXPECT_THAT(m.RenderPrometheus(),
              HasSubstr("{method=\"GET\",route=\"/r\",status=\"200\",le=\"0.001\"} 1\n"));
  EXPECT_THAT(m.RenderPrometheus(),
              HasSubstr("{method=\"GET\",route=\"/r\",status=\"200\",le=\"0.0005\"} 0\n"));
}

TEST(Metrics, SeriesAreSeparateAndSorted) {
  Metrics m;
  m.Observe("/b", "GET", 200, 0.01);
  m.Observe(Metrics::kUnmatchedRoute, "GET", 404, 0.01);
  m.Observe("/a", "POST", 201, 0.01);
  m.Observe("/a", "GET", 200, 0.01);
  const std::string text = m.RenderPrometheus();
  const auto a_get = text.find("wagate_http_requests_total{method=\"GET\",route=\"/a\"");
  const auto a_post = text.find("wagate_http_requests_total{method=\"POST\",route=\"/a\"");
  const auto b = text.find("wagate_http_requests_total{method=\"GET\",route=\"/b\"");
  const auto unmatched =
      text.find("wagate_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1");
  ASSERT_NE(a_get, std::string::npos);
  ASSERT_NE(unmatched, std::string::npos);
  EXPECT_LT(a_get, a_post);
  EXPECT_LT(a_post, b);
  EXPECT_LT(b, unmatched);
  EXPECT_EQ(m.RequestCount("/a", "GET", 200), 1u);
  EXPECT_EQ(m.RequestCount("/a", "GET", 500), 0u);
}

TEST(Metrics, EscapesLabelValues) {
  Metrics m;
  m.Observe("/q\"\\\n", "GET", 200, 0.01);
  EXPECT_THAT(m.RenderPrometheus(), HasSubstr("route=\"/q\\\"\\\\\\n\""));
}

TEST(Metrics, RendersGauges) {
  Metrics m;
  m.ConnectionOpened();
  m.ConnectionOpened();
  m.ConnectionClosed();
  m.RequestStarted();
  const std::string text = m.RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("# TYPE wagate_http_open_connections gauge\n"
                              "wagate_http_open_connections 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE wagate_http_requests_in_flight gauge\n"
                              "wagate_http_requests_in_flight 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("wagate_http_requests_total{")));
}

TEST(Metrics, ObserveIsThreadSafe) {
  Metrics m;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&m, t] {
      for (int i = 0; i < kPerThread; ++i) m.Observe(t % 2 ? "/a" : "/b", "GET", 200, 0.001);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(m.RequestCount("/a", "GET", 200) + m.RequestCount("/b", "GET", 200),
            uint64_t{kThreads} * kPerThread);
}

}  // namespace
}  // namespace http
