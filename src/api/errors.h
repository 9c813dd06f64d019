// Status → HTTP: the one mapping from base::Code to an HTTP status, and the
// NestJS-shaped error responses built from it (http/responses.h).
//   kInvalidArgument 400, kUnauthenticated 401, kPermissionDenied 403,
//   kNotFound 404, kAlreadyExists / kFailedPrecondition / kAborted 409,
//   kResourceExhausted 413, kUnimplemented 501, kUnavailable / kCancelled 503,
//   kDeadlineExceeded 504, kInternal / kDataLoss / anything else 500.
// A 500 never shows its detail to the client; it is logged instead.
// Thread-safe.
#pragma once

#include <boost/beast/http/status.hpp>
#include <string>
#include <vector>

#include "base/status.h"
#include "http/handler.h"

namespace api {

boost::beast::http::status HttpStatusFor(base::Code code);

// The error response for a non-ok `status`. kInvalidArgument answers with a
// one-element message list, the shape of NestJS validation errors.
// REQUIRES: !status.ok().
http::Response ErrorFromStatus(const base::Status& status);

// 400 with every problem found in the input, NestJS ValidationPipe style.
// REQUIRES: !problems.empty().
http::Response BadRequest(const std::vector<std::string>& problems);

// 401 {"statusCode":401,"message":"Unauthorized","error":"Unauthorized"}
// with a WWW-Authenticate challenge.
http::Response Unauthorized();

}  // namespace api
