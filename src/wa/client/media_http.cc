// placeholder, replaced below
#include "wa/client/messenger.h"
namespace wa::client {
namespace asio = boost::asio;
asio::awaitable<base::Result<UploadedMedia>> Messenger::UploadMedia(std::string, std::string) {
  co_return base::Unimplemented("upload");
}
asio::awaitable<base::Status> Messenger::DownloadMedia(MediaRef, std::string, uint64_t) {
  co_return base::Unimplemented("download");
}
asio::awaitable<base::Result<iq::MediaConn>> Messenger::GetMediaConn(bool) {
  co_return base::Unimplemented("media_conn");
}
}  // namespace wa::client
