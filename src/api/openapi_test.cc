#include "api/openapi.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <regex>

#include "api/api.h"

namespace api {
namespace {

namespace json = boost::json;

std::string ToOpenApiPath(std::string pattern) {
  return std::regex_replace(pattern, std::regex(":([A-Za-z0-9_]+)"), "{$1}");
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST(OpenApi, ParsesAndDescribesEveryRoute) {
  json::value doc = json::parse(OpenApiText());
  const json::object& paths = doc.at("paths").as_object();
  size_t operations = 0;
  for (const auto& [path, item] : paths) operations += item.as_object().size();
  EXPECT_EQ(operations, Routes().size()) << "openapi.json and Routes() disagree";
  for (const RouteInfo& r : Routes()) {
    std::string path = ToOpenApiPath(r.pattern);
    ASSERT_TRUE(paths.contains(path)) << path;
    const json::value* op = paths.at(path).as_object().if_contains(Lower(r.method));
    ASSERT_NE(op, nullptr) << r.method << " " << path;
    const json::object& responses = op->at("responses").as_object();
    EXPECT_TRUE(responses.contains("500")) << path;
    if (r.needs_auth) {
      EXPECT_TRUE(responses.contains("401")) << path;
      EXPECT_FALSE(op->as_object().contains("security")) << path << " must use the global one";
    } else {
      EXPECT_TRUE(op->at("security").as_array().empty()) << path;
    }
  }
}

TEST(OpenApi, DeclaresBothCredentialsAndTheErrorShape) {
  json::value doc = json::parse(OpenApiText());
  const json::object& schemes = doc.at("components").at("securitySchemes").as_object();
  EXPECT_EQ(schemes.at("apiKey").at("name"), "x-api-key");
  EXPECT_EQ(schemes.at("apiKey").at("in"), "header");
  EXPECT_EQ(schemes.at("bearer").at("scheme"), "bearer");
  const json::object& error = doc.at("components").at("schemas").at("Error").as_object();
  EXPECT_EQ(error.at("required").as_array().size(), 3u);
}

TEST(OpenApi, EveryRefResolves) {
  json::value doc = json::parse(OpenApiText());
  std::vector<const json::value*> todo = {&doc};
  int refs = 0;
  while (!todo.empty()) {
    const json::value* v = todo.back();
    todo.pop_back();
    if (v->is_object()) {
      for (const auto& [k, child] : v->as_object()) {
        if (k == "$ref") {
          std::string ref(child.as_string());
          ASSERT_EQ(ref.rfind("#/", 0), 0u) << ref;
          std::error_code ec;
          const json::value* target = doc.find_pointer(ref.substr(1), ec);
          EXPECT_NE(target, nullptr) << ref;
          ++refs;
        }
        todo.push_back(&child);
      }
    } else if (v->is_array()) {
      for (const json::value& child : v->as_array()) todo.push_back(&child);
    }
  }
  EXPECT_GT(refs, 50);
}

TEST(OpenApi, ServerIsThePublicUrl) {
  json::value doc = OpenApiDocument("https://wa.example.test");
  EXPECT_EQ(doc.at("servers").at(0).at("url"), "https://wa.example.test");
  EXPECT_EQ(OpenApiDocument("").at("servers").at(0).at("url"), "/");
}

}  // namespace
}  // namespace api
