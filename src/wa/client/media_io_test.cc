// UploadMedia / DownloadMedia over loopback: the scripted server answers
// media_conn, and a small HTTPS media host (the test certificate, given to
// the client as its CA file) stores uploads and serves them back.
#include <gtest/gtest.h>

#include <boost/beast/http.hpp>

#include <filesystem>

#include "base/encoding.h"

#include "wa/client/client.h"
#include "wa/client/client_test_harness.h"

namespace wa::client {
namespace {

using namespace iotest;  // NOLINT
namespace http = beast::http;

class NullSink final : public MessageSink {
 public:
  asio::awaitable<base::Status> OnMessage(const IncomingMessage&) override {
    co_return base::Status::Ok();
  }
  asio::awaitable<void> OnReceipt(const ReceiptEvent&) override { co_return; }
};

struct MediaHost {
  std::map<std::string, std::string> blobs;  // path → body
  std::vector<std::string> upload_targets;
  uint16_t port = 0;
};

// Serves `connections` HTTPS connections, one request each.
asio::awaitable<void> ServeMedia(tcp::acceptor& acceptor, asio::ssl::context& tls, MediaHost& host,
                                 int connections) {
  for (int i = 0; i < connections; ++i) {
    auto [ec, socket] = co_await acceptor.async_accept(kTuple);
    if (ec) co_return;
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), tls);
    auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kTuple);
    if (hec) continue;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    auto [rec, n] = co_await http::async_read(stream, buffer, request, kTuple);
    (void)n;
    if (rec) continue;
    http::response<http::string_body> response{http::status::ok, 11};
    std::string target(request.target());
    if (request.method() == http::verb::post) {
      host.upload_targets.push_back(target);
      std::string path = "/d/" + std::to_string(host.blobs.size());
      host.blobs[path] = request.body();
      response.body() = "{\"url\":\"https://127.0.0.1:" + std::to_string(host.port) + path +
                        "\",\"direct_path\":\"" + path + "\"}";
    } else if (auto it = host.blobs.find(target); it != host.blobs.end()) {
      response.body() = it->second;
    } else {
      response.result(http::status::not_found);
    }
    response.prepare_payload();
    co_await http::async_write(stream, response, kTuple);
    beast::get_lowest_layer(stream).close();
  }
}

Node MediaConnReply(const std::string& id, uint16_t port) {
  Node conn("media_conn",
            {{"auth", "AUTH+/="}, {"ttl", "300"}, {"auth_ttl", "21600"}, {"max_buckets", "12"}});
  conn.AddChild(Node("host", {{"hostname", "127.0.0.1:" + std::to_string(port)},
                              {"maxContentLengthBytes", "104857600"}}));
  return ResultIq(id, {std::move(conn)});
}

struct MediaRun {
  std::optional<base::Result<UploadedMedia>> uploaded;
  std::optional<base::Status> downloaded;
  std::optional<base::Status> tampered;
  bool done = false;
};

asio::awaitable<void> UploadThenDownload(Client& client, std::string source, std::string dest,
                                         MediaRun* run) {
  run->uploaded = co_await client.UploadMedia("image", source);
  if (run->uploaded->ok()) {
    const UploadedMedia& up = **run->uploaded;
    MediaRef ref{.media_type = "image",
                 .url = up.url,
                 .direct_path = up.direct_path,
                 .media_key = up.media_key,
                 .file_sha256 = up.file_sha256,
                 .file_enc_sha256 = up.file_enc_sha256,
                 .file_length = up.file_length};
    run->downloaded = co_await client.DownloadMedia(ref, dest, 1 << 20);
    ref.media_key[0] ^= 1;  // wrong key: the MAC cannot match
    run->tampered = co_await client.DownloadMedia(ref, dest + ".bad", 1 << 20);
  }
  run->done = true;
  client.Close();
}

TEST_F(ClientIo, UploadsAndDownloadsMediaOverHttps) {
  TestCert cert;
  asio::ssl::context tls(asio::ssl::context::tls_server);
  tls.use_certificate(asio::const_buffer(cert.pem.data(), cert.pem.size()),
                      asio::ssl::context::pem);
  SSL_CTX_use_PrivateKey(tls.native_handle(), cert.key);
  std::string ca_file = ::testing::TempDir() + "wagate_media_test_ca.pem";
  std::ofstream(ca_file) << cert.pem;
  tcp::acceptor media_acceptor(io_, {asio::ip::make_address("127.0.0.1"), 0});
  MediaHost host;
  host.port = media_acceptor.local_endpoint().port();
  asio::co_spawn(io_, ServeMedia(media_acceptor, tls, host, 3), asio::detached);

  std::string source = ::testing::TempDir() + "wagate_media_src.bin";
  std::string dest = ::testing::TempDir() + "wagate_media_dst.bin";
  std::filesystem::remove(dest);
  std::filesystem::remove(dest + ".bad");
  std::string content;
  for (int i = 0; i < 200000; ++i) content.push_back(static_cast<char>(i * 7));
  std::ofstream(source, std::ios::binary) << content;

  creds_.Set(LoggedInCreds());
  ClientConfig config = Config();
  config.ca_file = ca_file;
  base::FakeClock clock;
  MessagingState state(clock);
  NullSink sink;
  auto client = NewMessagingClient(config, state, sink);
  MediaRun run;
  observer_.on_open = [&] {
    asio::co_spawn(io_, UploadThenDownload(*client, source, dest, &run), asio::detached);
  };
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> query;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    query = co_await conn.Receive();
    if (!query) co_return;
    co_await conn.Send(MediaConnReply(*query->GetAttrText("id"), host.port));
  });
  EXPECT_EQ(d.kind, DisconnectKind::kClosed) << d.reason;
  ASSERT_TRUE(query);
  EXPECT_EQ(query->GetAttrText("xmlns"), "w:m");
  ASSERT_TRUE(run.done);
  ASSERT_TRUE(run.uploaded->ok()) << run.uploaded->status().ToString();
  const UploadedMedia& up = **run.uploaded;
  EXPECT_EQ(up.file_length, content.size());
  EXPECT_EQ(up.direct_path, "/d/0");
  ASSERT_EQ(host.upload_targets.size(), 1u);
  std::string token = base::Base64UrlEncode(up.file_enc_sha256);
  EXPECT_EQ(host.upload_targets[0], "/mms/image/" + token + "?auth=AUTH%2B%2F%3D&token=" + token);
  ASSERT_TRUE(run.downloaded);
  EXPECT_TRUE(run.downloaded->ok()) << run.downloaded->ToString();
  std::ifstream in(dest, std::ios::binary);
  std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(got, content);
  ASSERT_TRUE(run.tampered);
  EXPECT_EQ(run.tampered->code(), base::Code::kDataLoss) << run.tampered->ToString();
  EXPECT_FALSE(std::filesystem::exists(dest + ".bad"));
  EXPECT_FALSE(std::filesystem::exists(dest + ".bad.part"));
}

}  // namespace
}  // namespace wa::client
