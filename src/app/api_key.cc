#include "app/api_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/encoding.h"

namespace app {
namespace {

std::string Errno(std::string_view what, const std::string& path) {
  return std::string(what) + " " + path + ": " + std::strerror(errno);
}

base::Result<std::string> ReadKey(const std::string& path) {
  std::ifstream in(path);
  if (!in) return base::Unavailable(Errno("read", path));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string key = ss.str();
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ')) {
    key.pop_back();
  }
  if (key.empty() || key.find_first_of(" \t\n\r") != std::string::npos) {
    return base::DataLoss(path + ": not an API key (delete the file to generate a new one)");
  }
  return key;
}

base::Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return base::Unavailable(std::string("write api-key: ") + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return base::Status::Ok();
}

}  // namespace

base::Result<ApiKey> LoadOrCreateApiKey(const std::string& data_dir, base::Random& random) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return base::Unavailable("create data directory " + data_dir + ": " + ec.message());
  ApiKey out;
  out.path = (std::filesystem::path(data_dir) / "api-key").string();
  if (::access(out.path.c_str(), F_OK) == 0) {
    WAGATE_ASSIGN_OR_RETURN(out.key, ReadKey(out.path));
    return out;
  }

  std::string key = base::HexEncode(random.Bytes(32));
  std::string tmp = out.path + ".XXXXXX";
  int fd = ::mkstemp(tmp.data());  // mode 0600, O_EXCL
  if (fd < 0) return base::Unavailable(Errno("create", tmp));
  base::Status written = WriteAll(fd, key + "\n");
  if (written.ok() && ::fsync(fd) != 0) written = base::Unavailable(Errno("fsync", tmp));
  ::close(fd);
  if (!written.ok()) {
    ::unlink(tmp.c_str());
    return written;
  }
  // link() fails with EEXIST instead of replacing: when two processes start
  // at once, both end up with the first one's key.
  int rc = ::link(tmp.c_str(), out.path.c_str());
  int link_errno = errno;
  if (rc != 0 && link_errno != EEXIST) {
    // Some filesystems have no hard links; rename is still atomic.
    rc = ::rename(tmp.c_str(), out.path.c_str());
    if (rc != 0) {
      ::unlink(tmp.c_str());
      return base::Unavailable(Errno("create", out.path));
    }
  } else {
    ::unlink(tmp.c_str());
  }
  if (rc != 0) {  // EEXIST: someone else won the race
    WAGATE_ASSIGN_OR_RETURN(out.key, ReadKey(out.path));
    return out;
  }
  out.key = std::move(key);
  out.created = true;
  return out;
}

}  // namespace app
