#include "http_response_parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace http_load {

namespace {

// A head larger than this is not an answer from a server under test.
constexpr size_t kMaxHead = 64 * 1024;

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool ContainsNoCase(std::string_view haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                     [](char x, char y) {
                       return std::tolower(static_cast<unsigned char>(x)) ==
                              std::tolower(static_cast<unsigned char>(y));
                     }) != haystack.end();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

ResponseParser::Result ResponseParser::OnHead(std::string_view head) {
  // "HTTP/1.1 200 OK"
  const size_t eol = head.find("\r\n");
  const std::string_view line = head.substr(0, eol);
  if (line.size() < 12 || !line.starts_with("HTTP/1.") || line[8] != ' ') return Result::kError;
  int status = 0;
  if (std::from_chars(line.data() + 9, line.data() + 12, status).ptr != line.data() + 12) {
    return Result::kError;
  }
  status_ = status;
  bool keep_alive = line[7] == '1';  // HTTP/1.1 keeps the connection by default
  bool chunked = false;
  bool has_length = false;
  uint64_t length = 0;
  std::string_view rest = eol == std::string_view::npos ? std::string_view{} : head.substr(eol + 2);
  while (!rest.empty()) {
    const size_t end = rest.find("\r\n");
    const std::string_view field = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 2);
    const size_t colon = field.find(':');
    if (colon == std::string_view::npos) return Result::kError;
    const std::string_view name = field.substr(0, colon);
    const std::string_view value = Trim(field.substr(colon + 1));
    if (EqualsNoCase(name, "content-length")) {
      if (std::from_chars(value.data(), value.data() + value.size(), length).ptr !=
          value.data() + value.size()) {
        return Result::kError;
      }
      has_length = true;
    } else if (EqualsNoCase(name, "transfer-encoding")) {
      chunked = ContainsNoCase(value, "chunked");
    } else if (EqualsNoCase(name, "connection")) {
      if (ContainsNoCase(value, "close")) keep_alive = false;
      if (ContainsNoCase(value, "keep-alive")) keep_alive = true;
    }
  }
  close_ = !keep_alive;
  if (status_ >= 100 && status_ < 200) {
    phase_ = Phase::kHead;  // interim answer: the real one follows
    return Result::kNeedMore;
  }
  if (head_request_ || status_ == 204 || status_ == 304) return Result::kComplete;
  if (chunked) {  // takes precedence over Content-Length (RFC 9112 section 6.3)
    phase_ = Phase::kChunkSize;
    return Result::kNeedMore;
  }
  if (has_length) {
    if (length == 0) return Result::kComplete;
    remaining_ = length;
    phase_ = Phase::kBody;
    return Result::kNeedMore;
  }
  phase_ = Phase::kUntilClose;
  close_ = true;
  return Result::kNeedMore;
}

ResponseParser::Result ResponseParser::Feed(std::string& in) {
  size_t pos = 0;
  Result result = Result::kNeedMore;
  while (result == Result::kNeedMore) {
    const std::string_view data = std::string_view(in).substr(pos);
    if (phase_ == Phase::kHead) {
      const size_t end = data.find("\r\n\r\n");
      if (end == std::string_view::npos) {
        if (data.size() > kMaxHead) result = Result::kError;
        break;
      }
      pos += end + 4;
      result = OnHead(data.substr(0, end));
    } else if (phase_ == Phase::kBody || phase_ == Phase::kChunkData) {
      const auto take = static_cast<size_t>(std::min<uint64_t>(remaining_, data.size()));
      pos += take;
      remaining_ -= take;
      if (remaining_ > 0) break;
      if (phase_ == Phase::kBody) {
        result = Result::kComplete;
      } else {
        phase_ = Phase::kChunkEnd;
      }
    } else if (phase_ == Phase::kChunkEnd) {
      if (data.size() < 2) break;
      if (data[0] != '\r' || data[1] != '\n') {
        result = Result::kError;
        break;
      }
      pos += 2;
      phase_ = Phase::kChunkSize;
    } else if (phase_ == Phase::kChunkSize) {
      const size_t end = data.find("\r\n");
      if (end == std::string_view::npos) {
        if (data.size() > kMaxHead) result = Result::kError;
        break;
      }
      const std::string_view line = data.substr(0, end);  // "1a;ext=v"
      uint64_t size = 0;
      const auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
      if (ec != std::errc() || ptr == line.data()) {
        result = Result::kError;
        break;
      }
      pos += end + 2;
      if (size == 0) {
        phase_ = Phase::kTrailer;
      } else {
        remaining_ = size;
        phase_ = Phase::kChunkData;
      }
    } else if (phase_ == Phase::kTrailer) {
      const size_t end = data.find("\r\n");
      if (end == std::string_view::npos) {
        if (data.size() > kMaxHead) result = Result::kError;
        break;
      }
      pos += end + 2;
      if (end == 0) result = Result::kComplete;  // the blank line after the trailers
    } else {  // kUntilClose: everything until the server closes is body
      pos = in.size();
      break;
    }
  }
  in.erase(0, pos);
  return result;
}

}  // namespace http_load
