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
    boost::asio::post(blocking_, [this] {
#if defined(__GLIBC__)
      // fordblks: bytes in free chunks over all arenas, a cheap estimate of
      // what a trim could give back; uordblks: bytes in use. Only a quiet
      // heap is trimmed (in use moved less than min_free since the last
      // look): under load malloc_trim's arena walks stall every allocating
      // thread, and what it gives back is taken again at once.
      const struct mallinfo2 info = mallinfo2();
      const size_t in_use = info.uordblks;
      const size_t moved = in_use > last_in_use_ ? in_use - last_in_use_ : last_in_use_ - in_use;
      last_in_use_ = in_use;
      if (moved < min_free_ && info.fordblks > min_free_) malloc_trim(0);
#endif
    });
    Arm();
  });
}

}  // namespace app
