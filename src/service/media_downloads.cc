#include "service/media_downloads.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>

#include "base/encoding.h"
#include "base/offload.h"

namespace service {
namespace json = boost::json;

namespace {

constexpr char kJobType[] = "media-job";
constexpr char kIndexType[] = "media-job-index";
constexpr char kIndexId[] = "all";
constexpr int64_t kFirstRetryMs = 2000;
constexpr int64_t kMaxRetryMs = 3600 * 1000;
constexpr auto kPoll = std::chrono::seconds(1);

std::string B64(const std::string& s) { return base::Base64Encode(s); }
std::string UnB64(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return "";
  auto d = base::Base64Decode(std::string_view(v->get_string()));
  return d.ok() ? *d : "";
}
std::string Str(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : "";
}
int64_t Int(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_int64() ? v->get_int64() : 0;
}

}  // namespace

MediaDownloads::MediaDownloads(std::string instance, store::KeyStore& keys, MediaStore& media,
                               const base::Clock& clock, uint64_t max_bytes)
    : instance_(std::move(instance)),
      keys_(keys),
      media_(media),
      clock_(clock),
      max_bytes_(max_bytes) {}

base::Status MediaDownloads::Load() {
  auto index = keys_.GetKeys(instance_, kIndexType, {kIndexId});
  if (!index.ok()) return index.status().WithContext("media jobs");
  std::vector<std::string> names;
  if (auto it = index->find(kIndexId); it != index->end()) {
    boost::system::error_code ec;
    json::value v = json::parse(it->second, ec);
    if (!ec && v.is_array()) {
      for (const auto& n : v.as_array()) {
        if (n.is_string()) names.emplace_back(n.get_string());
      }
    }
  }
  if (names.empty()) return base::Status::Ok();
  auto stored = keys_.GetKeys(instance_, kJobType, names);
  if (!stored.ok()) return stored.status().WithContext("media jobs");
  std::lock_guard lock(mu_);
  for (const auto& [name, text] : *stored) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) continue;
    const json::object& o = v.as_object();
    Job job;
    job.ref.media_type = Str(o, "type");
    job.ref.url = Str(o, "url");
    job.ref.direct_path = Str(o, "directPath");
    job.ref.media_key = UnB64(o, "mediaKey");
    job.ref.file_sha256 = UnB64(o, "fileSha256");
    job.ref.file_enc_sha256 = UnB64(o, "fileEncSha256");
    job.ref.file_length = static_cast<uint64_t>(Int(o, "fileLength"));
    job.attempts = static_cast<int>(Int(o, "attempts"));
    job.next_at_ms = Int(o, "nextAt");
    job.error = Str(o, "error");
    jobs_[name] = std::move(job);
  }
  spdlog::info("media: {} download(s) to resume", jobs_.size());
  return base::Status::Ok();
}

base::Status MediaDownloads::Persist(const std::string& name, const std::optional<Job>& job) {
  // One writer at a time, so the index written last is the newest one.
  std::lock_guard persist(persist_mu_);
  std::vector<store::KeyWrite> writes;
  if (job) {
    json::object o;
    o["type"] = job->ref.media_type;
    o["url"] = job->ref.url;
    o["directPath"] = job->ref.direct_path;
    o["mediaKey"] = B64(job->ref.media_key);
    o["fileSha256"] = B64(job->ref.file_sha256);
    o["fileEncSha256"] = B64(job->ref.file_enc_sha256);
    o["fileLength"] = static_cast<int64_t>(job->ref.file_length);
    o["attempts"] = job->attempts;
    o["nextAt"] = job->next_at_ms;
    o["error"] = job->error;
    writes.push_back({kJobType, name, json::serialize(o)});
  } else {
    writes.push_back({kJobType, name, std::nullopt});
  }
  json::array index;
  {
    std::lock_guard lock(mu_);
    for (const auto& [n, j] : jobs_) index.emplace_back(n);
  }
  writes.push_back({kIndexType, kIndexId, json::serialize(index)});
  return keys_.WriteKeys(instance_, writes);
}

base::Status MediaDownloads::Enqueue(const std::string& name, const wa::client::MediaRef& ref) {
  Job job;
  {
    std::lock_guard lock(mu_);
    if (jobs_.count(name) != 0) return base::Status::Ok();
    if (jobs_.size() >= kMaxJobs) {
      return base::ResourceExhausted("media: " + std::to_string(kMaxJobs) +
                                     " downloads already pending");
    }
    job.ref = ref;
    job.next_at_ms = clock_.NowMs();
    jobs_[name] = job;
  }
  return Persist(name, job);
}

std::optional<std::string> MediaDownloads::Problem(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(name);
  if (it == jobs_.end()) return std::nullopt;
  if (it->second.attempts == 0) return "media not downloaded yet";
  if (it->second.attempts >= kMaxAttempts) {
    return "media download failed " + std::to_string(it->second.attempts) +
           " times, given up: " + it->second.error;
  }
  return "media not downloaded yet (attempt " + std::to_string(it->second.attempts) +
         " failed: " + it->second.error + "; retrying)";
}

size_t MediaDownloads::pending() const {
  std::lock_guard lock(mu_);
  return jobs_.size();
}

std::optional<std::pair<std::string, MediaDownloads::Job>> MediaDownloads::NextDue(
    int64_t now_ms) const {
  std::lock_guard lock(mu_);
  for (const auto& [name, job] : jobs_) {
    if (job.attempts < kMaxAttempts && job.next_at_ms <= now_ms) return std::pair(name, job);
  }
  return std::nullopt;
}

base::Status MediaDownloads::Finish(const std::string& name) {
  {
    std::lock_guard lock(mu_);
    jobs_.erase(name);
  }
  return Persist(name, std::nullopt);
}

base::Status MediaDownloads::Fail(const std::string& name, const std::string& error) {
  Job job;
  {
    std::lock_guard lock(mu_);
    auto it = jobs_.find(name);
    if (it == jobs_.end()) return base::Status::Ok();
    ++it->second.attempts;
    it->second.error = error;
    const int64_t delay =
        std::min(kMaxRetryMs, kFirstRetryMs << std::min(it->second.attempts - 1, 20));
    it->second.next_at_ms = clock_.NowMs() + delay;
    job = it->second;
  }
  return Persist(name, job);
}

boost::asio::awaitable<void> MediaDownloads::Run(std::shared_ptr<wa::client::Client> client,
                                                 std::function<bool()> open,
                                                 boost::asio::thread_pool& blocking,
                                                 base::Random& random) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  while (open()) {
    auto due = NextDue(clock_.NowMs());
    if (!due) {
      timer.expires_after(kPoll);
      co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      continue;
    }
    const std::string& name = due->first;
    if (media_.Has(name)) {  // already there (sent by us, or a duplicate)
      co_await base::Offload(blocking, [&] { return Finish(name); });
      continue;
    }
    const std::string temp = media_.TempPath(random);
    base::Status got = co_await client->DownloadMedia(due->second.ref, temp, max_bytes_);
    if (got.ok()) {
      base::Status kept = co_await base::Offload(blocking, [&] {
        base::Status s = media_.Adopt(temp, name);
        return s.ok() ? Finish(name) : s;
      });
      if (!kept.ok()) spdlog::warn("media {}: {}", name, kept.ToString());
    } else {
      std::error_code ec;
      std::filesystem::remove(temp, ec);
      spdlog::warn("media {}: download failed: {}", name, got.ToString());
      if (!open()) break;  // the socket went: not the media's fault
      base::Status s = co_await base::Offload(blocking, [&] { return Fail(name, got.message()); });
      if (!s.ok()) spdlog::warn("media {}: {}", name, s.ToString());
    }
  }
}

}  // namespace service
