// MediaDownloads: the media of received messages still to be fetched. A
// media message is stored at once with its URL as `content`; the blob is
// fetched afterwards, one at a time while the session is open, so a slow
// or broken media host never holds up the message pipeline or a list
// request. Jobs are persisted in the key store (type "media-job", plus an
// index) so a restart resumes them; a failed attempt is retried with capped
// exponential backoff and its error is what GET /whatsapp/media/:id reports
// meanwhile.
//
// Thread safety: every method; the ones marked BLOCKING touch the store.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/random.h"
#include "base/status.h"
#include "service/media_store.h"
#include "store/store.h"
#include "wa/client/client.h"

namespace boost::asio {
class thread_pool;
}  // namespace boost::asio

namespace service {

class MediaDownloads {
 public:
  static constexpr int kMaxAttempts = 10;
  static constexpr size_t kMaxJobs = 100000;

  MediaDownloads(std::string instance, store::KeyStore& keys, MediaStore& media,
                 const base::Clock& clock, uint64_t max_bytes);

  // BLOCKING. Reads the persisted jobs (once, at start).
  base::Status Load();
  // BLOCKING. Records a job for `name` (idempotent); kResourceExhausted
  // past kMaxJobs.
  base::Status Enqueue(const std::string& name, const wa::client::MediaRef& ref);

  // While a download is pending or failed: what GET /whatsapp/media/:id says.
  std::optional<std::string> Problem(const std::string& name) const;
  size_t pending() const;

  // Fetches due jobs through `client` until `open()` turns false; runs on
  // the client's strand. Wakes every `poll` to look for due jobs.
  boost::asio::awaitable<void> Run(std::shared_ptr<wa::client::Client> client,
                                   std::function<bool()> open, boost::asio::thread_pool& blocking,
                                   base::Random& random);

 private:
  struct Job {
    wa::client::MediaRef ref;
    int attempts = 0;
    int64_t next_at_ms = 0;
    std::string error;
  };
  std::optional<std::pair<std::string, Job>> NextDue(int64_t now_ms) const;
  base::Status Persist(const std::string& name, const std::optional<Job>& job);  // BLOCKING
  base::Status Finish(const std::string& name);                                  // BLOCKING
  base::Status Fail(const std::string& name, const std::string& error);          // BLOCKING

  const std::string instance_;
  store::KeyStore& keys_;
  MediaStore& media_;
  const base::Clock& clock_;
  const uint64_t max_bytes_;
  mutable std::mutex mu_;
  std::map<std::string, Job> jobs_;  // guarded by mu_
  std::mutex persist_mu_;
};

}  // namespace service
