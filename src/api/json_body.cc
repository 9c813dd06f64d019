#include "api/json_body.h"

#include <cctype>

#include "api/json_text.h"
#include "http/responses.h"

namespace api {
namespace bhttp = boost::beast::http;
namespace {

// "application/json", "Application/JSON; charset=utf-8" → true. Other
// types, including "+json" suffixes, are refused: no client of this API
// sends them, and a form post should not be half-understood.
bool IsJsonContentType(std::string_view value) {
  std::string_view type = value.substr(0, value.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  constexpr std::string_view kJson = "application/json";
  if (type.size() != kJson.size()) return false;
  for (size_t i = 0; i < type.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(type[i])) != kJson[i]) return false;
  }
  return true;
}

}  // namespace

JsonBody ReadJsonBody(const http::Request& req) {
  JsonBody out;
  if (req.body().empty()) return out;
  auto ct = req.find(bhttp::field::content_type);
  if (ct == req.end() || !IsJsonContentType(ct->value())) {
    std::string got =
        ct == req.end() ? "none" : "\"" + std::string(ct->value().substr(0, 64)) + "\"";
    out.error = http::ErrorResponse(bhttp::status::unsupported_media_type,
                                    "Content-Type must be application/json, got " + got);
    return out;
  }
  auto parsed = ParseJsonText(req.body());
  if (!parsed.ok()) {
    out.error = http::ErrorResponse(bhttp::status::bad_request, parsed.status().message());
    return out;
  }
  if (!parsed->is_object()) {
    out.error = http::ErrorResponse(bhttp::status::bad_request,
                                    std::vector<std::string>{"body must be a JSON object"});
    return out;
  }
  out.object = std::move(parsed->get_object());
  return out;
}

}  // namespace api
