// For tests only (header-only, not part of wagate_store_mongo): a uniquely
// named database on the server of WAGATE_TEST_MONGODB_URI, dropped when the
// TestDatabase dies.
//
// Tests skip when the variable is unset (SkipReason()), unless
// WAGATE_TEST_REQUIRE_MONGODB=1 (scripts/run-tests.sh sets it: a run without
// the server must fail, never pass by skipping). The Makefile and CI always
// provide the server, from scripts/ferretdb.sh.
// Thread safety: none needed (one per test).
#pragma once

#include <mongoc/mongoc.h>

#include <cstdlib>
#include <string>

#include "base/random.h"

namespace store::mongo::testing {

inline constexpr char kUriVariable[] = "WAGATE_TEST_MONGODB_URI";
inline constexpr char kRequireVariable[] = "WAGATE_TEST_REQUIRE_MONGODB";

class TestDatabase {
 public:
  TestDatabase() {
    const char* base = std::getenv(kUriVariable);
    if (base == nullptr || *base == '\0') return;
    name_ = "wagate_test_" + base::SecureRandom::Instance().Token(12, "0123456789abcdef");
    mongoc_init();  // runs once per process (bson_once inside libmongoc)
    bson_error_t error;
    mongoc_uri_t* uri = mongoc_uri_new_with_error(base, &error);
    if (uri == nullptr) {
      skip_reason_ = std::string(kUriVariable) + " is not a MongoDB URI: " + error.message;
      return;
    }
    mongoc_uri_destroy(uri);
    uri_ = WithDatabase(base, name_);
  }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  ~TestDatabase() { Drop(); }

  // Empty when the tests can run.
  std::string SkipReason() const {
    if (!skip_reason_.empty()) return skip_reason_;
    if (uri_.empty()) return std::string(kUriVariable) + " not set: no MongoDB-wire server";
    return "";
  }
  // The server is required: a missing one is a failure, not a skip.
  static bool Required() {
    const char* v = std::getenv(kRequireVariable);
    return v != nullptr && std::string(v) == "1";
  }
  // The server's URI with this database as its path.
  const std::string& uri() const { return uri_; }
  const std::string& name() const { return name_; }

  // A plain client for reading raw documents; caller destroys it.
  mongoc_client_t* NewClient() const {
    mongoc_client_t* client = mongoc_client_new(uri_.c_str());
    if (client != nullptr) mongoc_client_set_error_api(client, MONGOC_ERROR_API_VERSION_2);
    return client;
  }

  void Drop() {
    if (uri_.empty() || dropped_) return;
    dropped_ = true;
    mongoc_client_t* client = NewClient();
    if (client == nullptr) return;
    mongoc_database_t* db = mongoc_client_get_database(client, name_.c_str());
    bson_error_t error;
    mongoc_database_drop(db, &error);  // best effort: a leftover test database is harmless
    mongoc_database_destroy(db);
    mongoc_client_destroy(client);
  }

 private:
  // mongodb://hosts[/db][?options] with the path replaced by `database`
  // (mongoc_uri_set_database does not change mongoc_uri_get_string).
  static std::string WithDatabase(const std::string& uri, const std::string& database) {
    size_t hosts = uri.find("://");
    hosts = hosts == std::string::npos ? 0 : hosts + 3;
    size_t query = uri.find('?', hosts);
    std::string options = query == std::string::npos ? "" : uri.substr(query);
    std::string head = uri.substr(0, query);
    size_t slash = head.find('/', hosts);
    if (slash != std::string::npos) head.resize(slash);
    return head + "/" + database + options;
  }

  std::string name_;
  std::string uri_;
  std::string skip_reason_;
  bool dropped_ = false;
};

}  // namespace store::mongo::testing
