// Backoff: the reconnect delays of a linked session — capped exponential
// with jitter, so that many wagate instances losing WhatsApp together do not
// come back in lockstep, and a server that stays down is asked at most once
// per `max` (no reconnect storm). Pure: the Random is injected.
#pragma once

#include <chrono>
#include <cstdint>

#include "base/random.h"

namespace service {

struct BackoffOptions {
  std::chrono::milliseconds initial{1000};
  std::chrono::milliseconds max{60000};
  double factor = 2.0;
  // Each delay is drawn uniformly from [d × (1 − jitter), d × (1 + jitter)],
  // then capped at max.
  double jitter = 0.2;
};

class Backoff {
 public:
  explicit Backoff(BackoffOptions options = {}) : options_(options) {}

  // The delay before the next attempt; each call counts one attempt.
  std::chrono::milliseconds Next(base::Random& random);
  // After a connection opened: the next failure starts from `initial` again.
  void Reset() { attempts_ = 0; }
  int attempts() const { return attempts_; }

 private:
  BackoffOptions options_;
  int attempts_ = 0;
};

}  // namespace service
