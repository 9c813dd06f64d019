#include "http/responses.h"

#include <gtest/gtest.h>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace http {
namespace {

namespace bhttp = boost::beast::http;

TEST(ErrorResponse, HasTheNestJsShape) {
  const Response res = ErrorResponse(bhttp::status::not_found, "Cannot GET /nope");
  EXPECT_EQ(res.result(), bhttp::status::not_found);
  EXPECT_EQ(res.body(), R"({"statusCode":404,"message":"Cannot GET /nope","error":"Not Found"})");
  EXPECT_EQ(res[bhttp::field::content_type], "application/json; charset=utf-8");
  EXPECT_EQ(res[bhttp::field::content_length], std::to_string(res.body().size()));
  EXPECT_TRUE(res.keep_alive());
}

TEST(ErrorResponse, TakesAListOfMessages) {
  const Response res =
      ErrorResponse(bhttp::status::bad_request, std::vector<std::string>{"to must be set", "b"},
                    /*keep_alive=*/false);
  EXPECT_EQ(res.body(),
            R"({"statusCode":400,"message":["to must be set","b"],"error":"Bad Request"})");
  EXPECT_FALSE(res.keep_alive());
}

TEST(ErrorResponse, UsesTheReasonPhrasesClientsExpect) {
  EXPECT_EQ(ReasonPhrase(bhttp::status::unauthorized), "Unauthorized");
  EXPECT_EQ(ReasonPhrase(bhttp::status::payload_too_large), "Payload Too Large");
  EXPECT_EQ(ReasonPhrase(bhttp::status::unsupported_media_type), "Unsupported Media Type");
  EXPECT_EQ(ReasonPhrase(bhttp::status::request_header_fields_too_large),
            "Request Header Fields Too Large");
  EXPECT_EQ(ReasonPhrase(bhttp::status::service_unavailable), "Service Unavailable");
  EXPECT_EQ(
      ErrorResponse(bhttp::status::payload_too_large, "request entity too large").body(),
      R"({"statusCode":413,"message":"request entity too large","error":"Payload Too Large"})");
}

TEST(ErrorResponse, EscapesTheMessage) {
  EXPECT_EQ(ErrorResponse(bhttp::status::bad_request, "a \"b\"\n").body(),
            R"({"statusCode":400,"message":"a \"b\"\n","error":"Bad Request"})");
}

TEST(InternalErrorResponse, MatchesNestJsForUnknownExceptions) {
  const Response res = InternalErrorResponse();
  EXPECT_EQ(res.result(), bhttp::status::internal_server_error);
  EXPECT_EQ(res.body(), R"({"statusCode":500,"message":"Internal server error"})");
}

TEST(JsonResponse, SerializesTheValue) {
  boost::json::object body;
  body["status"] = "ok";
  body["n"] = 3;
  const Response res = JsonResponse(bhttp::status::created, body);
  EXPECT_EQ(res.result(), bhttp::status::created);
  EXPECT_EQ(res.body(), R"({"status":"ok","n":3})");
  EXPECT_EQ(res[bhttp::field::content_type], "application/json; charset=utf-8");
}

}  // namespace
}  // namespace http
