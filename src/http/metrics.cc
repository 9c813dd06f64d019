#include "http/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <vector>

namespace http {
namespace {

// The `le` label of each bucket, spelled once so the output is stable
// whatever the float formatting.
constexpr std::array<std::string_view, Metrics::kBucketBounds.size() + 1> kBucketLabels = {
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
    "0.1",    "0.25",  "0.5",    "1",     "2.5",  "5",     "+Inf"};

// Label values escape backslash, double quote and newline (text format 0.0.4).
void AppendLabelValue(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out.push_back(c);
    }
  }
}

}  // namespace

void Metrics::Observe(std::string_view route, std::string_view method, int status, double seconds) {
  if (seconds < 0) seconds = 0;
  // Bucket i counts observations in (bound[i-1], bound[i]]; past the last bound is +Inf.
  const size_t bucket =
      static_cast<size_t>(std::lower_bound(kBucketBounds.begin(), kBucketBounds.end(), seconds) -
                          kBucketBounds.begin());
  const KeyView key{route, method, status};
  std::lock_guard lock(mu_);
  auto it = series_.find(key);
  if (it == series_.end()) {
    it = series_.emplace(Key{std::string(route), std::string(method), status}, Series{}).first;
  }
  Series& s = it->second;
  ++s.buckets[bucket];
  s.sum += seconds;
  ++s.count;
}

uint64_t Metrics::RequestCount(std::string_view route, std::string_view method, int status) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(KeyView{route, method, status});
  return it == series_.end() ? 0 : it->second.count;
}

std::string Metrics::RenderPrometheus() const {
  // Copy under the lock, format outside it: a scrape must not stall requests.
  std::vector<std::pair<Key, Series>> snapshot;
  {
    std::lock_guard lock(mu_);
    snapshot.assign(series_.begin(), series_.end());
  }

  std::string out;
  out.reserve(256 + snapshot.size() * 1800);
  auto labels = [&out](const Key& k) {
    out += "method=\"";
    AppendLabelValue(out, k.method);
    out += "\",route=\"";
    AppendLabelValue(out, k.route);
    out += "\",status=\"";
    fmt::format_to(std::back_inserter(out), "{}", k.status);
    out += '"';
  };

  out +=
      "# HELP wagate_http_requests_total HTTP requests answered, by route pattern, method and "
      "status.\n"
      "# TYPE wagate_http_requests_total counter\n";
  for (const auto& [key, s] : snapshot) {
    out += "wagate_http_requests_total{";
    labels(key);
    fmt::format_to(std::back_inserter(out), "}} {}\n", s.count);
  }

  out +=
      "# HELP wagate_http_request_duration_seconds Time from the first byte of a request to "
      "the last byte of its response.\n"
      "# TYPE wagate_http_request_duration_seconds histogram\n";
  for (const auto& [key, s] : snapshot) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < s.buckets.size(); ++i) {
      cumulative += s.buckets[i];
      out += "wagate_http_request_duration_seconds_bucket{";
      labels(key);
      fmt::format_to(std::back_inserter(out), ",le=\"{}\"}} {}\n", kBucketLabels[i], cumulative);
    }
    out += "wagate_http_request_duration_seconds_sum{";
    labels(key);
    fmt::format_to(std::back_inserter(out), "}} {}\n", s.sum);
    out += "wagate_http_request_duration_seconds_count{";
    labels(key);
    fmt::format_to(std::back_inserter(out), "}} {}\n", s.count);
  }

  fmt::format_to(std::back_inserter(out),
                 "# HELP wagate_http_requests_in_flight HTTP requests being handled now.\n"
                 "# TYPE wagate_http_requests_in_flight gauge\n"
                 "wagate_http_requests_in_flight {}\n"
                 "# HELP wagate_http_open_connections Open HTTP connections.\n"
                 "# TYPE wagate_http_open_connections gauge\n"
                 "wagate_http_open_connections {}\n",
                 in_flight(), open_connections());
  return out;
}

}  // namespace http
