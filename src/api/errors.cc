#include "api/errors.h"

#include <spdlog/spdlog.h>

#include "http/responses.h"

namespace api {
namespace bhttp = boost::beast::http;

bhttp::status HttpStatusFor(base::Code code) {
  switch (code) {
    case base::Code::kOk:
      return bhttp::status::ok;
    case base::Code::kInvalidArgument:
      return bhttp::status::bad_request;
    case base::Code::kUnauthenticated:
      return bhttp::status::unauthorized;
    case base::Code::kPermissionDenied:
      return bhttp::status::forbidden;
    case base::Code::kNotFound:
      return bhttp::status::not_found;
    case base::Code::kAlreadyExists:
    case base::Code::kFailedPrecondition:
    case base::Code::kAborted:
      return bhttp::status::conflict;
    case base::Code::kResourceExhausted:
      return bhttp::status::payload_too_large;
    case base::Code::kUnimplemented:
      return bhttp::status::not_implemented;
    case base::Code::kUnavailable:
    case base::Code::kCancelled:
      return bhttp::status::service_unavailable;
    case base::Code::kDeadlineExceeded:
      return bhttp::status::gateway_timeout;
    case base::Code::kDataLoss:
    case base::Code::kInternal:
      return bhttp::status::internal_server_error;
  }
  return bhttp::status::internal_server_error;
}

http::Response ErrorFromStatus(const base::Status& status) {
  bhttp::status http_status = HttpStatusFor(status.code());
  if (http_status == bhttp::status::internal_server_error) {
    spdlog::error("request failed: {}", status.ToString());
    return http::InternalErrorResponse();
  }
  if (status.code() == base::Code::kInvalidArgument) {
    return http::ErrorResponse(http_status, std::vector<std::string>{status.message()});
  }
  return http::ErrorResponse(http_status, status.message());
}

http::Response BadRequest(const std::vector<std::string>& problems) {
  return http::ErrorResponse(bhttp::status::bad_request, problems);
}

http::Response Unauthorized() {
  http::Response res = http::ErrorResponse(bhttp::status::unauthorized, "Unauthorized");
  res.set(bhttp::field::www_authenticate, "Bearer");
  return res;
}

}  // namespace api
