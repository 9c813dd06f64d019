#include "service/backoff.h"

#include <algorithm>
#include <cmath>

namespace service {

std::chrono::milliseconds Backoff::Next(base::Random& random) {
  const double max = static_cast<double>(options_.max.count());
  // Stop growing once past the cap so the exponent cannot overflow.
  double base = static_cast<double>(options_.initial.count()) *
                std::pow(options_.factor, std::min(attempts_, 62));
  base = std::min(base, max);
  ++attempts_;
  const uint64_t r = random.Uint64();
  const double unit = static_cast<double>(r >> 11) / static_cast<double>(uint64_t{1} << 53);
  const double spread = options_.jitter * (2 * unit - 1);  // in [-jitter, +jitter)
  const double delay = std::clamp(base * (1 + spread), 0.0, max);
  return std::chrono::milliseconds(static_cast<int64_t>(delay));
}

}  // namespace service
