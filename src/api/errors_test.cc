#include "api/errors.h"

#include <gtest/gtest.h>

namespace api {
namespace {

namespace bhttp = boost::beast::http;

TEST(HttpStatusFor, MapsEveryCode) {
  EXPECT_EQ(HttpStatusFor(base::Code::kInvalidArgument), bhttp::status::bad_request);
  EXPECT_EQ(HttpStatusFor(base::Code::kUnauthenticated), bhttp::status::unauthorized);
  EXPECT_EQ(HttpStatusFor(base::Code::kPermissionDenied), bhttp::status::forbidden);
  EXPECT_EQ(HttpStatusFor(base::Code::kNotFound), bhttp::status::not_found);
  EXPECT_EQ(HttpStatusFor(base::Code::kAlreadyExists), bhttp::status::conflict);
  EXPECT_EQ(HttpStatusFor(base::Code::kFailedPrecondition), bhttp::status::conflict);
  EXPECT_EQ(HttpStatusFor(base::Code::kAborted), bhttp::status::conflict);
  EXPECT_EQ(HttpStatusFor(base::Code::kResourceExhausted), bhttp::status::payload_too_large);
  EXPECT_EQ(HttpStatusFor(base::Code::kUnimplemented), bhttp::status::not_implemented);
  EXPECT_EQ(HttpStatusFor(base::Code::kUnavailable), bhttp::status::service_unavailable);
  EXPECT_EQ(HttpStatusFor(base::Code::kCancelled), bhttp::status::service_unavailable);
  EXPECT_EQ(HttpStatusFor(base::Code::kDeadlineExceeded), bhttp::status::gateway_timeout);
  EXPECT_EQ(HttpStatusFor(base::Code::kDataLoss), bhttp::status::internal_server_error);
  EXPECT_EQ(HttpStatusFor(base::Code::kInternal), bhttp::status::internal_server_error);
}

TEST(ErrorFromStatus, NestJsShapes) {
  EXPECT_EQ(ErrorFromStatus(base::NotFound("chat x not found")).body(),
            R"({"statusCode":404,"message":"chat x not found","error":"Not Found"})");
  EXPECT_EQ(ErrorFromStatus(base::InvalidArgument("limit bad")).body(),
            R"({"statusCode":400,"message":["limit bad"],"error":"Bad Request"})");
  EXPECT_EQ(ErrorFromStatus(base::DeadlineExceeded("no answer")).result(),
            bhttp::status::gateway_timeout);
}

TEST(ErrorFromStatus, InternalDetailStaysInTheLog) {
  http::Response r = ErrorFromStatus(base::Internal("sqlite: secret path /x/y"));
  EXPECT_EQ(r.result(), bhttp::status::internal_server_error);
  EXPECT_EQ(r.body(), R"({"statusCode":500,"message":"Internal server error"})");
}

TEST(Unauthorized, ShapeAndChallenge) {
  http::Response r = Unauthorized();
  EXPECT_EQ(r.body(), R"({"statusCode":401,"message":"Unauthorized","error":"Unauthorized"})");
  EXPECT_EQ(r[bhttp::field::www_authenticate], "Bearer");
}

}  // namespace
}  // namespace api
