#include "app/heap_trimmer.h"

#include <boost/asio/post.hpp>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace app {

HeapTrimmer::HeapTrimmer(boost::asio::io_context& io, boost::asio::thread_pool& blocking,
                         std::chrono::milliseconds interval, size_t min_free)
    : timer_(io), blocking_(blocking), interval_(interval), min_free_(min_free) {}

void HeapTrimmer::Start() {
#if defined(__GLIBC__)
  Arm();
#endif
}

void HeapTrimmer::Stop() {
  stopped_ = true;
  timer_.cancel();
}

void HeapTrimmer::Arm() {
  if (stopped_) return;
  timer_.expires_after(interval_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    boost::asio::post(blocking_, [min_free = min_free_] {
#if defined(__GLIBC__)
      // fordblks: bytes in free chunks over all arenas, a cheap estimate of
      // what a trim could give back.
      if (mallinfo2().fordblks > min_free) malloc_trim(0);
#else
      (void)min_free;
#endif
    });
    Arm();
  });
}

}  // namespace app
