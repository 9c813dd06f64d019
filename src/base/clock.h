// Clock: the one seam for time. Code outside src/base never calls now()
// itself; it is handed a Clock, so tests can use FakeClock.
// Thread safety: SystemClock is stateless; FakeClock is safe to read and
// advance from several threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "base/status.h"

namespace base {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, milliseconds since the Unix epoch.
  virtual int64_t NowMs() const = 0;
  // Monotonic time for durations, nanoseconds from an arbitrary origin.
  virtual int64_t MonotonicNs() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override;
  int64_t MonotonicNs() const override;
  static const SystemClock& Instance();
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t now_ms = 1'700'000'000'000) : now_ms_(now_ms) {}
  int64_t NowMs() const override { return now_ms_.load(); }
  int64_t MonotonicNs() const override { return now_ms_.load() * 1'000'000; }
  void AdvanceMs(int64_t ms) { now_ms_ += ms; }
  void SetMs(int64_t ms) { now_ms_ = ms; }

 private:
  std::atomic<int64_t> now_ms_;
};

// "2026-11-29T09:57:06.123Z" (UTC, milliseconds).
std::string FormatIso8601(int64_t epoch_ms);
// Accepts the form above, with or without milliseconds, with "Z" or "+00:00".
Result<int64_t> ParseIso8601(std::string_view text);

}  // namespace base
