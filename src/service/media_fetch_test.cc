// FetchToFile against a real HTTP server on loopback (the generic http
// server), so the guard, limits, redirects and timeouts are exercised over
// real sockets.
#include "service/media_fetch.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"

namespace service {
namespace {

namespace bhttp = boost::beast::http;
using namespace std::chrono_literals;

const std::string kJpeg = std::string("\xFF\xD8\xFF\xE0", 4) + std::string(5000, 'j');

class MediaFetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto answer = [](std::string body, std::string type = "application/octet-stream") {
      return [body, type](http::Context& ctx) -> boost::asio::awaitable<http::Response> {
        http::Response res{bhttp::status::ok, ctx.req.version()};
        res.set(bhttp::field::content_type, type);
        res.body() = body;
        res.prepare_payload();
        co_return res;
      };
    };
    auto redirect = [](std::string to) {
      return [to](http::Context& ctx) -> boost::asio::awaitable<http::Response> {
        http::Response res{bhttp::status::found, ctx.req.version()};
        res.set(bhttp::field::location, to);
        res.prepare_payload();
        co_return res;
      };
    };
    // Answers after `delay`; for the timeout.
    auto slow = [](std::chrono::milliseconds delay) {
      return [delay](http::Context& ctx) -> boost::asio::awaitable<http::Response> {
        boost::asio::steady_timer timer(ctx.executor, delay);
        co_await timer.async_wait(boost::asio::use_awaitable);
        http::Response res{bhttp::status::ok, ctx.req.version()};
        res.body() = kJpeg;
        res.prepare_payload();
        co_return res;
      };
    };
    // No Content-Length: the limit has to count the body as it comes.
    auto chunked = [](std::string body) {
      return [body](http::Context& ctx) -> boost::asio::awaitable<http::Response> {
        http::Response res{bhttp::status::ok, ctx.req.version()};
        res.body() = body;
        res.chunked(true);
        co_return res;
      };
    };
    router_.Add(bhttp::verb::get, "/photo", answer(kJpeg, "text/plain"));
    router_.Add(bhttp::verb::get, "/typed", answer(kJpeg, "image/jpeg; charset=binary"));
    router_.Add(bhttp::verb::get, "/big-chunked", chunked(std::string(300000, 'c')));
    router_.Add(bhttp::verb::get, "/slow", slow(2s));
    // r5 → r4 → … → r1 → photo: five redirects; r6 makes six.
    for (int i = 1; i <= 6; ++i) {
      router_.Add(bhttp::verb::get, "/r" + std::to_string(i),
                  redirect(i == 1 ? "/photo" : "r" + std::to_string(i - 1)));
    }
    router_.Add(bhttp::verb::get, "/big", answer(std::string(300000, 'b')));
    router_.Add(bhttp::verb::get, "/hop", redirect("/photo"));
    router_.Add(bhttp::verb::get, "/loop", redirect("/loop"));
    router_.Add(bhttp::verb::get, "/ftp", redirect("ftp://127.0.0.1/x"));
    router_.Add(bhttp::verb::get, "/elsewhere", redirect("http://127.0.0.2:1/photo"));
    server_ =
        std::make_unique<http::Server>(io_, http::ServerOptions{.port = 0}, router_, metrics_);
    auto port = server_->Listen();
    ASSERT_TRUE(port.ok());
    base_ = "http://127.0.0.1:" + std::to_string(*port);
    server_->Start();
    thread_ = std::thread([this] { io_.run(); });
    dir_ = std::filesystem::temp_directory_path() /
           ("wagate-fetch-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }

  void TearDown() override {
    std::promise<void> stopped;
    server_->Stop([&] { stopped.set_value(); });
    stopped.get_future().wait_for(5s);
    thread_.join();
    std::filesystem::remove_all(dir_);
  }

  FetchOptions Local() {
    FetchOptions o;
    o.allow_private = true;
    o.total_timeout = 5s;
    return o;
  }
  std::string Path() { return (dir_ / "out").string(); }

  boost::asio::io_context io_;
  http::Router router_;
  http::Metrics metrics_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
  std::string base_;
  std::filesystem::path dir_;
};

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST_F(MediaFetchTest, DownloadsAndSniffsTheTypeFromTheBytes) {
  auto r = FetchToFile(base_ + "/photo", Path(), Local());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->size, kJpeg.size());
  EXPECT_EQ(r->sniffed_mime, "image/jpeg");  // whatever the server claims
  EXPECT_EQ(r->header_mime, "text/plain");
  EXPECT_EQ(Read(Path()), kJpeg);
}

TEST_F(MediaFetchTest, FollowsRedirectsUpToTheLimit) {
  auto r = FetchToFile(base_ + "/hop", Path(), Local());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->final_url, base_ + "/photo");
  auto loop = FetchToFile(base_ + "/loop", Path(), Local());
  EXPECT_EQ(loop.status().code(), base::Code::kInvalidArgument) << loop.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(Path()));
  auto ftp = FetchToFile(base_ + "/ftp", Path(), Local());
  EXPECT_EQ(ftp.status().code(), base::Code::kInvalidArgument) << ftp.status().ToString();
}

TEST_F(MediaFetchTest, FiveRedirectsPassASixthIsRefused) {
  auto five = FetchToFile(base_ + "/r5", Path(), Local());
  ASSERT_TRUE(five.ok()) << five.status().ToString();
  EXPECT_EQ(five->final_url, base_ + "/photo");
  EXPECT_EQ(Read(Path()), kJpeg);
  auto six = FetchToFile(base_ + "/r6", Path(), Local());
  EXPECT_EQ(six.status().code(), base::Code::kInvalidArgument) << six.status().ToString();
  EXPECT_NE(six.status().message().find("more than 5"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(Path()));
}

TEST_F(MediaFetchTest, HeaderTypeWithoutParameters) {
  auto r = FetchToFile(base_ + "/typed", Path(), Local());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->header_mime, "image/jpeg");
}

// The first hop is allowed, the redirect target is not: the guard runs on
// every hop, before the connect.
TEST_F(MediaFetchTest, GuardRunsOnTheRedirectTarget) {
  FetchOptions only_first = Local();
  only_first.refuse_address = [](std::string_view ip) { return ip != "127.0.0.1"; };
  auto r = FetchToFile(base_ + "/elsewhere", Path(), only_first);
  ASSERT_EQ(r.status().code(), base::Code::kInvalidArgument) << r.status().ToString();
  EXPECT_NE(r.status().message().find("127.0.0.2"), std::string::npos) << r.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(Path()));
}

// A name is judged by what it resolves to, not by how it is spelled.
TEST_F(MediaFetchTest, GuardJudgesResolvedNames) {
  FetchOptions guarded = Local();
  guarded.allow_private = false;
  auto r = FetchToFile("http://localhost:1/photo", Path(), guarded);
  EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument) << r.status().ToString();
  EXPECT_NE(r.status().message().find("resolves to"), std::string::npos) << r.status().ToString();
}

TEST_F(MediaFetchTest, TotalTimeout) {
  FetchOptions quick = Local();
  quick.total_timeout = 300ms;
  auto r = FetchToFile(base_ + "/slow", Path(), quick);
  EXPECT_EQ(r.status().code(), base::Code::kDeadlineExceeded) << r.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(Path()));
}

TEST_F(MediaFetchTest, RefusesLoopbackUnlessAllowed) {
  FetchOptions guarded = Local();
  guarded.allow_private = false;
  auto r = FetchToFile(base_ + "/photo", Path(), guarded);
  ASSERT_EQ(r.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("127.0.0.1"), std::string::npos) << r.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(Path()));
}

TEST_F(MediaFetchTest, SizeLimitAndErrors) {
  FetchOptions small = Local();
  small.max_bytes = 100000;
  auto r = FetchToFile(base_ + "/big", Path(), small);
  EXPECT_EQ(r.status().code(), base::Code::kResourceExhausted) << r.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(Path()));
  auto chunked = FetchToFile(base_ + "/big-chunked", Path(), small);
  EXPECT_EQ(chunked.status().code(), base::Code::kResourceExhausted) << chunked.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(Path()));
  auto whole = FetchToFile(base_ + "/big-chunked", Path(), Local());
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(whole->size, 300000u);
  EXPECT_EQ(FetchToFile(base_ + "/missing", Path(), Local()).status().code(),
            base::Code::kUnavailable);
  EXPECT_EQ(FetchToFile("file:///etc/passwd", Path(), Local()).status().code(),
            base::Code::kInvalidArgument);
  EXPECT_EQ(FetchToFile("http://127.0.0.1:1/x", Path(), Local()).status().code(),
            base::Code::kUnavailable);
}

TEST(AddressGuardTest, PrivateRanges) {
  for (const char* ip :
       {"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "::", "fe80::1", "fd00::1", "::ffff:127.0.0.1",
        "::ffff:10.0.0.1", "ff02::1", "not-an-ip"}) {
    EXPECT_TRUE(IsPrivateAddress(ip)) << ip;
  }
  for (const char* ip :
       {"8.8.8.8", "1.1.1.1", "172.32.0.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"}) {
    EXPECT_FALSE(IsPrivateAddress(ip)) << ip;
  }
}

TEST(SniffTest, KnownMagics) {
  EXPECT_EQ(SniffMime("\x89PNG\r\n\x1A\nxxxx"), "image/png");
  EXPECT_EQ(SniffMime("%PDF-1.7"), "application/pdf");
  EXPECT_EQ(SniffMime(std::string("\0\0\0\x18", 4) + "ftypmp42"), "video/mp4");
  EXPECT_EQ(SniffMime("OggS\0\x02"), "audio/ogg");
  EXPECT_EQ(SniffMime("ID3\x04"), "audio/mpeg");
  EXPECT_EQ(SniffMime("RIFF1234WEBPVP8 "), "image/webp");
  EXPECT_EQ(SniffMime("hello"), "");
}

}  // namespace
}  // namespace service
