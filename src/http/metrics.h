// Metrics: HTTP request counters, latency histograms and connection gauges,
// rendered in the Prometheus text exposition format 0.0.4.
//
// Thread-safe: every method may be called from any thread. Observe takes one
// short mutex-protected map lookup (no allocation once a series exists); the
// gauges are atomics. Labels are (route pattern, method, status), so the
// number of series is bounded by the routes the program registers: requests
// that match no route share the route label kUnmatchedRoute.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace http {

class Metrics {
 public:
  static constexpr std::string_view kUnmatchedRoute = "unmatched";
  // Histogram upper bounds in seconds (0.5 ms … 5 s); +Inf is implicit.
  static constexpr std::array<double, 13> kBucketBounds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Records one finished request. `route` is the route pattern (e.g.
  // "/whatsapp/messages/:jid") or kUnmatchedRoute, never the raw path.
  void Observe(std::string_view route, std::string_view method, int status, double seconds);

  void ConnectionOpened() { open_connections_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }
  void RequestStarted() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void RequestFinished() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }

  int64_t open_connections() const { return open_connections_.load(std::memory_order_relaxed); }
  int64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  // The request count of one series (0 when it does not exist); for tests.
  uint64_t RequestCount(std::string_view route, std::string_view method, int status) const;

  // All series sorted by (route, method, status), followed by the gauges.
  std::string RenderPrometheus() const;

 private:
  struct Key {
    std::string route;
    std::string method;
    int status;
  };
  // Orders Keys and lets a lookup use string_views, so Observe does not
  // allocate for a series that already exists.
  struct KeyLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return std::tie(a.route, a.method, a.status) < std::tie(b.route, b.method, b.status);
    }
  };
  struct KeyView {
    std::string_view route;
    std::string_view method;
    int status;
  };
  struct Series {
    std::array<uint64_t, kBucketBounds.size() + 1> buckets{};  // not cumulative; last is +Inf
    double sum = 0;
    uint64_t count = 0;
  };

  mutable std::mutex mu_;
  std::map<Key, Series, KeyLess> series_;  // guarded by mu_
  std::atomic<int64_t> open_connections_{0};
  std::atomic<int64_t> in_flight_{0};
};

}  // namespace http
