// Messages: GET /whatsapp/messages/:jid (pages), POST
// /whatsapp/messages/:jid/read, POST /whatsapp/message/send/{text,media},
// GET /whatsapp/media/:id.
#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <fstream>
#include <iterator>

#include "api/dto.h"
#include "api/errors.h"
#include "api/json_body.h"
#include "api/routes.h"
#include "api/validate.h"
#include "http/offload.h"
#include "http/responses.h"

namespace api::internal {
namespace bhttp = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 500;
// WhatsApp's own limit on a text message is 65,536 characters.
constexpr size_t kMaxTextBytes = 65536;
constexpr size_t kMaxUrlBytes = 2048;
constexpr size_t kMaxFileNameBytes = 255;
constexpr size_t kMaxIdBytes = 128;

// Collects every problem of a request body, NestJS ValidationPipe style:
// the client learns about all of them at once.
class Problems {
 public:
  void Add(std::string m) { list_.push_back(std::move(m)); }
  void Add(const base::Status& s) {
    if (!s.ok()) list_.push_back(s.message());
  }
  bool empty() const { return list_.empty(); }
  const std::vector<std::string>& list() const { return list_; }

 private:
  std::vector<std::string> list_;
};

// A string field: absent → nullopt; present but not a string → problem.
std::optional<std::string> StringField(const json::object& body, std::string_view name,
                                       Problems& problems) {
  const json::value* v = body.if_contains(name);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_string()) {
    problems.Add(std::string(name) + " must be a string");
    return std::nullopt;
  }
  return std::string(v->get_string());
}

std::string RequiredString(const json::object& body, std::string_view name, size_t max_bytes,
                           Problems& problems) {
  const json::value* v = body.if_contains(name);
  if (v == nullptr || v->is_null() || (v->is_string() && v->get_string().empty())) {
    problems.Add(std::string(name) + " should not be empty");
    return "";
  }
  auto s = StringField(body, name, problems);
  if (s && s->size() > max_bytes) {
    problems.Add(std::string(name) + " must be at most " + std::to_string(max_bytes) +
                 " bytes long");
  }
  return s.value_or("");
}

std::string OptionalString(const json::object& body, std::string_view name, size_t max_bytes,
                           Problems& problems) {
  auto s = StringField(body, name, problems);
  if (s && s->size() > max_bytes) {
    problems.Add(std::string(name) + " must be at most " + std::to_string(max_bytes) +
                 " bytes long");
  }
  return s.value_or("");
}

std::string Recipient(const json::object& body, Problems& problems) {
  const json::value* v = body.if_contains("to");
  if (v != nullptr && v->is_string()) {
    auto jid = NormalizeRecipient(std::string_view(v->get_string()));
    problems.Add(jid.status());
    return jid.ok() ? *jid : "";
  }
  problems.Add(
      "to must be a phone number with country code (7-15 digits) or a JID on s.whatsapp.net, "
      "g.us or lid");
  return "";
}

bool IsPrintableId(std::string_view s, size_t max_bytes) {
  if (s.empty() || s.size() > max_bytes) return false;
  for (unsigned char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

std::string IdempotencyKey(const http::Request& req, Problems& problems) {
  auto it = req.find("idempotency-key");
  if (it == req.end()) return "";
  std::string_view key = it->value();
  if (!IsPrintableId(key, 255)) {
    problems.Add("Idempotency-Key must be 1-255 printable ASCII characters");
    return "";
  }
  return std::string(key);
}

bool IsHttpUrl(std::string_view text) {
  auto url = boost::urls::parse_absolute_uri(text);
  return url && (url->scheme() == "http" || url->scheme() == "https") && url->has_authority() &&
         !url->host().empty();
}

// "image/jpeg", "application/vnd.openxmlformats-officedocument…": a type
// and a subtype of token characters; parameters are not wanted here.
bool IsMimeType(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == 0 || slash == std::string_view::npos || slash + 1 == s.size() || s.size() > 255) {
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (i == slash) continue;
    if (!(std::isalnum(c) || c == '.' || c == '+' || c == '-' || c == '_')) return false;
  }
  return true;
}

std::optional<service::SendTextRequest> ParseSendText(const http::Request& req,
                                                      const json::object& body,
                                                      Problems& problems) {
  service::SendTextRequest r;
  r.to = Recipient(body, problems);
  r.text = RequiredString(body, "text", kMaxTextBytes, problems);
  if (auto q = StringField(body, "quotedId", problems)) {
    if (!IsPrintableId(*q, kMaxIdBytes)) {
      problems.Add("quotedId must be a message id (1-128 printable ASCII characters)");
    } else {
      r.quoted_id = *q;
    }
  }
  r.idempotency_key = IdempotencyKey(req, problems);
  if (!problems.empty()) return std::nullopt;
  return r;
}

std::optional<service::SendMediaRequest> ParseSendMedia(const http::Request& req,
                                                        const json::object& body,
                                                        Problems& problems) {
  service::SendMediaRequest r;
  r.to = Recipient(body, problems);
  r.media_url = RequiredString(body, "mediaUrl", kMaxUrlBytes, problems);
  if (!r.media_url.empty() && r.media_url.size() <= kMaxUrlBytes && !IsHttpUrl(r.media_url)) {
    problems.Add("mediaUrl must be an http:// or https:// URL");
  }
  const json::value* type = body.if_contains("mediaType");
  if (type != nullptr && type->is_string() &&
      (type->get_string() == "image" || type->get_string() == "video" ||
       type->get_string() == "document" || type->get_string() == "audio")) {
    r.media_type = std::string(type->get_string());
  } else {
    problems.Add("mediaType must be one of the following values: image, video, document, audio");
  }
  r.caption = OptionalString(body, "caption", kMaxTextBytes, problems);
  r.file_name = OptionalString(body, "fileName", kMaxFileNameBytes, problems);
  r.mime_type = OptionalString(body, "mimeType", 255, problems);
  if (!r.mime_type.empty() && !IsMimeType(r.mime_type)) {
    problems.Add("mimeType must be a MIME type such as image/jpeg");
  }
  r.idempotency_key = IdempotencyKey(req, problems);
  if (!problems.empty()) return std::nullopt;
  return r;
}

// Reads a body that is required to be a JSON object. `body` is filled, or
// the response to answer is returned.
std::optional<http::Response> RequireObjectBody(const http::Request& req, json::object& body) {
  JsonBody read = ReadJsonBody(req);
  if (read.error) return std::move(*read.error);
  // No body: validate an empty object, so the answer lists every missing
  // field as it would for "{}".
  if (read.object) body = std::move(*read.object);
  return std::nullopt;
}

// A byte range of a media file: [first, last], inclusive as in HTTP.
struct ByteRange {
  int64_t first = 0;
  int64_t last = 0;
};

// "bytes=a-b", "bytes=a-", "bytes=-n" (one range; several are answered
// whole, as RFC 9110 allows). nullopt: no usable Range (serve all);
// a range starting past the end is `unsatisfiable`.
std::optional<ByteRange> ParseRange(std::string_view header, int64_t size, bool& unsatisfiable) {
  unsatisfiable = false;
  if (!header.starts_with("bytes=") || header.find(',') != std::string_view::npos) {
    return std::nullopt;
  }
  header.remove_prefix(6);
  const size_t dash = header.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto number = [](std::string_view t) -> std::optional<int64_t> {
    if (t.empty() || t.size() > 18) return std::nullopt;
    int64_t n = 0;
    for (char c : t) {
      if (c < '0' || c > '9') return std::nullopt;
      n = n * 10 + (c - '0');
    }
    return n;
  };
  const std::string_view a = header.substr(0, dash);
  const std::string_view b = header.substr(dash + 1);
  if (a.empty()) {  // the last n bytes
    auto n = number(b);
    if (!n || *n == 0) {
      unsatisfiable = n.has_value();
      return std::nullopt;
    }
    return ByteRange{std::max<int64_t>(0, size - *n), size - 1};
  }
  auto first = number(a);
  if (!first) return std::nullopt;
  if (*first >= size) {
    unsatisfiable = true;
    return std::nullopt;
  }
  int64_t last = size - 1;
  if (!b.empty()) {
    auto l = number(b);
    if (!l || *l < *first) return std::nullopt;
    last = std::min(*l, size - 1);
  }
  return ByteRange{*first, last};
}

// The bytes [first, last] of the file; media files are bounded by the media
// size limit, a range bounds what is read.
base::Result<std::string> ReadMediaFile(const service::Media& media, ByteRange range) {
  std::ifstream in(media.path, std::ios::binary);
  if (!in) return base::NotFound("media file missing");
  std::string bytes(static_cast<size_t>(range.last - range.first + 1), '\0');
  in.seekg(range.first);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (in.gcount() != static_cast<std::streamsize>(bytes.size())) {
    return base::Internal("read " + media.path + " failed");
  }
  return bytes;
}

http::Response Created(const store::MessageRecord& m) {
  return http::JsonResponse(bhttp::status::created, MessageToJson(m));
}

}  // namespace

void AddMessageRoutes(http::Router& router, const ApiDeps& deps) {
  service::WhatsappService& service = deps.service;
  const Guard& guard = deps.guard;

  router.Add(
      bhttp::verb::get, "/whatsapp/messages/:jid",
      RequireAuth(guard, [&service](http::Context& ctx) -> boost::asio::awaitable<http::Response> {
        Problems problems;
        auto jid = ValidateChatJidParam(ctx.params.Get("jid").value_or(""));
        problems.Add(jid.status());
        auto limit =
            ParseIntParam("limit", OptView(ctx.query.Get("limit")), kDefaultLimit, 1, kMaxLimit);
        problems.Add(limit.status());
        std::optional<store::MessageCursor> before;
        if (auto raw = ctx.query.Get("before"); raw && !raw->empty()) {
          auto cursor = DecodeCursor(*raw);
          problems.Add(cursor.status());
          if (cursor.ok()) before = *cursor;
        }
        if (!problems.empty()) co_return BadRequest(problems.list());

        auto page = co_await http::Offload(
            service.blocking_pool(), [&] { return service.ListMessages(*jid, *limit, before); });
        if (!page.ok()) co_return ErrorFromStatus(page.status());
        // Received media not served yet says why (never fails the list).
        const std::map<std::string, std::string> media_errors = service.MediaErrors(page->items);
        // One arena for the whole answer: freed at once when it is serialised.
        json::monotonic_resource arena(32 * 1024);
        json::storage_ptr sp(&arena);
        json::array items(sp);
        items.reserve(page->items.size());
        for (const store::MessageRecord& m : page->items) {
          json::object o = MessageToJson(m, sp);
          if (auto it = media_errors.find(m.id); it != media_errors.end()) {
            o.emplace("mediaError", json::string(it->second, sp));
          }
          items.push_back(std::move(o));
        }
        json::object out(2, sp);
        out.emplace("items", std::move(items));
        if (page->next) {
          out.emplace("nextCursor", EncodeCursor(*page->next));
        } else {
          out.emplace("nextCursor", nullptr);
        }
        co_return http::JsonResponse(bhttp::status::ok, json::value(std::move(out)));
      }));

  router.Add(
      bhttp::verb::post, "/whatsapp/messages/:jid/read",
      RequireAuth(guard, [&service](http::Context& ctx) -> boost::asio::awaitable<http::Response> {
        auto jid = ValidateChatJidParam(ctx.params.Get("jid").value_or(""));
        if (!jid.ok()) co_return ErrorFromStatus(jid.status());
        // No body is expected; one that is sent must still be well-formed.
        JsonBody read = ReadJsonBody(ctx.req);
        if (read.error) co_return std::move(*read.error);
        auto chat = co_await http::Offload(service.blocking_pool(),
                                           [&] { return service.MarkChatRead(*jid); });
        if (!chat.ok()) co_return ErrorFromStatus(chat.status());
        json::object out;
        out["jid"] = chat->jid;
        out["unreadCount"] = chat->unread_count;
        co_return http::JsonResponse(bhttp::status::ok, out);
      }));

  router.Add(
      bhttp::verb::post, "/whatsapp/message/send/text",
      RequireAuth(guard, [&service](http::Context& ctx) -> boost::asio::awaitable<http::Response> {
        json::object body;
        if (auto refused = RequireObjectBody(ctx.req, body)) co_return std::move(*refused);
        Problems problems;
        auto request = ParseSendText(ctx.req, body, problems);
        if (!request) co_return BadRequest(problems.list());
        auto sent = co_await service.SendText(std::move(*request));
        if (!sent.ok()) co_return ErrorFromStatus(sent.status());
        co_return Created(*sent);
      }));

  router.Add(
      bhttp::verb::post, "/whatsapp/message/send/media",
      RequireAuth(guard, [&service](http::Context& ctx) -> boost::asio::awaitable<http::Response> {
        json::object body;
        if (auto refused = RequireObjectBody(ctx.req, body)) co_return std::move(*refused);
        Problems problems;
        auto request = ParseSendMedia(ctx.req, body, problems);
        if (!request) co_return BadRequest(problems.list());
        auto sent = co_await service.SendMedia(std::move(*request));
        if (!sent.ok()) co_return ErrorFromStatus(sent.status());
        co_return Created(*sent);
      }));

  router.Add(
      bhttp::verb::get, "/whatsapp/media/:id",
      RequireAuth(guard, [&service](http::Context& ctx) -> boost::asio::awaitable<http::Response> {
        std::string id = ctx.params.Get("id").value_or("");
        if (!IsPrintableId(id, kMaxIdBytes) || id.find('/') != std::string::npos) {
          co_return BadRequest({"id must be a media id (1-128 printable ASCII characters)"});
        }
        auto media =
            co_await http::Offload(service.blocking_pool(), [&] { return service.GetMedia(id); });
        if (!media.ok()) co_return ErrorFromStatus(media.status());
        bool unsatisfiable = false;
        std::optional<ByteRange> range;
        if (auto h = ctx.req.find(bhttp::field::range); h != ctx.req.end()) {
          range = ParseRange(h->value(), media->size, unsatisfiable);
        }
        if (unsatisfiable) {
          http::Response res =
              http::ErrorResponse(bhttp::status::range_not_satisfiable, "Range Not Satisfiable");
          res.set(bhttp::field::content_range, "bytes */" + std::to_string(media->size));
          co_return res;
        }
        const ByteRange whole{0, media->size - 1};
        auto bytes = co_await http::Offload(service.blocking_pool(), [&] {
          return media->size == 0 ? base::Result<std::string>(std::string())
                                  : ReadMediaFile(*media, range.value_or(whole));
        });
        if (!bytes.ok()) co_return ErrorFromStatus(bytes.status());
        http::Response res{range ? bhttp::status::partial_content : bhttp::status::ok,
                           ctx.req.version()};
        res.set(bhttp::field::content_type,
                media->mime_type.empty() ? "application/octet-stream" : media->mime_type);
        res.set(bhttp::field::accept_ranges, "bytes");
        // Content-addressed: a name never changes its bytes.
        res.set(bhttp::field::cache_control, "private, max-age=31536000, immutable");
        if (range) {
          res.set(bhttp::field::content_range, "bytes " + std::to_string(range->first) + "-" +
                                                   std::to_string(range->last) + "/" +
                                                   std::to_string(media->size));
        }
        res.body() = std::move(bytes).value();
        res.prepare_payload();
        co_return res;
      }));
}

}  // namespace api::internal
