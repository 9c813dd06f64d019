#include "app/config.h"

#include <gtest/gtest.h>

namespace app {
namespace {

Config MustParse(const std::vector<std::string>& args, const Env& env = {}) {
  auto c = ParseConfig(args, env);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : Config{};
}

std::string ErrorOf(const std::vector<std::string>& args, const Env& env = {}) {
  auto c = ParseConfig(args, env);
  EXPECT_FALSE(c.ok());
  if (!c.ok()) {
    EXPECT_EQ(c.status().code(), base::Code::kInvalidArgument);
  }
  return c.ok() ? "" : c.status().message();
}

TEST(ParseConfig, Defaults) {
  Config c = MustParse({});
  EXPECT_EQ(c.host, "127.0.0.1");
  EXPECT_EQ(c.port, 3000);
  EXPECT_EQ(c.api_key, "");
  EXPECT_EQ(c.jwt_secret, "");
  EXPECT_EQ(c.db, "sqlite:./data/wagate.db");
  EXPECT_EQ(c.db_kind, DbKind::kSqlite);
  EXPECT_EQ(c.db_target, "./data/wagate.db");
  EXPECT_EQ(c.data_dir, "./data");
  EXPECT_EQ(c.media_dir, "./data/media");
  EXPECT_EQ(c.instance, "default");
  EXPECT_EQ(c.public_url, "");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.log_format, base::LogFormat::kText);
  EXPECT_EQ(c.body_limit, 1024u * 1024u);
  EXPECT_TRUE(c.cors_origins.empty());
  EXPECT_EQ(c.events_keep, 10000);
  EXPECT_EQ(c.events_max_age_ms, int64_t{7} * 24 * 3600 * 1000);
  EXPECT_TRUE(c.positional.empty());
}

TEST(ParseConfig, SocketIoSettings) {
  Config c =
      MustParse({"--events-keep", "0", "--events-max-age=12h"},
                {{"WAGATE_CORS_ORIGINS", "https://app.example.test, http://localhost:5173"}});
  EXPECT_EQ(c.cors_origins,
            (std::vector<std::string>{"https://app.example.test", "http://localhost:5173"}));
  EXPECT_EQ(c.events_keep, 0);
  EXPECT_EQ(c.events_max_age_ms, int64_t{12} * 3600 * 1000);
  EXPECT_EQ(MustParse({}, {{"WAGATE_CORS_ORIGINS", "*"}}).cors_origins,
            std::vector<std::string>{"*"});
  EXPECT_EQ(MustParse({"--events-max-age", "0"}).events_max_age_ms, 0);
  EXPECT_EQ(MustParse({"--events-max-age", "90"}).events_max_age_ms, 90000);
  EXPECT_EQ(MustParse({"--events-max-age", "7d"}).events_max_age_ms, 7 * 86400000LL);

  EXPECT_NE(ErrorOf({}, {{"WAGATE_CORS_ORIGINS", "https://a.test/path"}})
                .find("WAGATE_CORS_ORIGINS: must be * or a comma-separated list of origins"),
            std::string::npos);
  EXPECT_NE(ErrorOf({"--cors-origins", "https://a.test,,https://b.test"}).find("got \"\""),
            std::string::npos);
  EXPECT_NE(ErrorOf({"--cors-origins", "ftp://a.test"}).find("--cors-origins"), std::string::npos);
  EXPECT_NE(ErrorOf({"--events-keep", "-1"}).find("--events-keep: must be an integer"),
            std::string::npos);
  EXPECT_NE(ErrorOf({}, {{"WAGATE_EVENTS_KEEP", "ten"}}).find("WAGATE_EVENTS_KEEP"),
            std::string::npos);
  EXPECT_NE(ErrorOf({"--events-max-age", "7w"}).find("--events-max-age: must be a duration"),
            std::string::npos);
  EXPECT_NE(ErrorOf({"--events-max-age", "-1d"}).find("--events-max-age"), std::string::npos);
}

TEST(ParseDurationMs, UnitsAndBounds) {
  EXPECT_EQ(ParseDurationMs("0"), 0);
  EXPECT_EQ(ParseDurationMs("30s"), 30000);
  EXPECT_EQ(ParseDurationMs("15m"), 900000);
  EXPECT_EQ(ParseDurationMs("2h"), 7200000);
  EXPECT_EQ(ParseDurationMs("1d"), 86400000);
  EXPECT_FALSE(ParseDurationMs(""));
  EXPECT_FALSE(ParseDurationMs("d"));
  EXPECT_FALSE(ParseDurationMs("1 d"));
  EXPECT_FALSE(ParseDurationMs("1D"));
  EXPECT_FALSE(ParseDurationMs("99999999d"));
}

TEST(ParseConfig, FromEnvironment) {
  Env env = {{"WAGATE_HOST", "0.0.0.0"},
             {"WAGATE_PORT", "8080"},
             {"WAGATE_API_KEY", "abcdef0123456789"},
             {"WAGATE_JWT_SECRET", "s3cret"},
             {"WAGATE_DB", "mongodb://db.example.test:27017/wa"},
             {"WAGATE_INSTANCE", "shop-1"},
             {"WAGATE_PUBLIC_URL", "https://wa.example.test/"},
             {"WAGATE_LOG_LEVEL", "debug"},
             {"WAGATE_LOG_FORMAT", "json"},
             {"WAGATE_BODY_LIMIT", "512k"},
             {"UNRELATED", "x"}};
  Config c = MustParse({}, env);
  EXPECT_EQ(c.host, "0.0.0.0");
  EXPECT_EQ(c.port, 8080);
  EXPECT_EQ(c.api_key, "abcdef0123456789");
  EXPECT_EQ(c.jwt_secret, "s3cret");
  EXPECT_EQ(c.db_kind, DbKind::kMongo);
  EXPECT_EQ(c.db_target, "mongodb://db.example.test:27017/wa");
  EXPECT_EQ(c.data_dir, "./data");  // mongodb: no file to sit beside
  EXPECT_EQ(c.media_dir, "./data/media");
  EXPECT_EQ(c.instance, "shop-1");
  EXPECT_EQ(c.public_url, "https://wa.example.test");  // trailing slash dropped
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.log_format, base::LogFormat::kJson);
  EXPECT_EQ(c.body_limit, 512u * 1024u);
}

TEST(ParseConfig, FfmpegPath) {
  EXPECT_EQ(MustParse({}, {}).ffmpeg, "");  // look on PATH
  EXPECT_EQ(MustParse({}, {{"WAGATE_FFMPEG", "/opt/ffmpeg/bin/ffmpeg"}}).ffmpeg,
            "/opt/ffmpeg/bin/ffmpeg");
  EXPECT_EQ(MustParse({"--ffmpeg=off"}, {}).ffmpeg, "off");
}

TEST(ParseConfig, FlagsWinOverEnvironmentInBothSpellings) {
  Env env = {{"WAGATE_PORT", "8080"}, {"WAGATE_HOST", "::1"}, {"WAGATE_INSTANCE", "a"}};
  Config c = MustParse({"--port=9090", "--host", "127.0.0.2", "--instance", "b"}, env);
  EXPECT_EQ(c.port, 9090);
  EXPECT_EQ(c.host, "127.0.0.2");
  EXPECT_EQ(c.instance, "b");
}

TEST(ParseConfig, EveryFlagIsAccepted) {
  Config c = MustParse({"--host=::1", "--port=0", "--api-key=k", "--jwt-secret=j",
                        "--db=sqlite:/var/lib/wagate/wa.db", "--media-dir=/srv/media",
                        "--instance=x", "--public-url=http://localhost:1", "--log-level=off",
                        "--log-format=text", "--body-limit=100", "--data-dir=/srv/data"});
  EXPECT_EQ(c.host, "::1");
  EXPECT_EQ(c.port, 0);
  EXPECT_EQ(c.api_key, "k");
  EXPECT_EQ(c.jwt_secret, "j");
  EXPECT_EQ(c.db_target, "/var/lib/wagate/wa.db");
  EXPECT_EQ(c.data_dir, "/srv/data");
  EXPECT_EQ(c.media_dir, "/srv/media");
  EXPECT_EQ(c.body_limit, 100u);
}

TEST(ParseConfig, DataDirFollowsTheSqliteFile) {
  Config c = MustParse({"--db", "sqlite:/tmp/x/wa.db"});
  EXPECT_EQ(c.data_dir, "/tmp/x");
  EXPECT_EQ(c.media_dir, "/tmp/x/media");
  c = MustParse({"--db", "sqlite:wa.db"});
  EXPECT_EQ(c.data_dir, ".");
  c = MustParse({"--db", "sqlite:/tmp/x/wa.db"}, {{"WAGATE_DATA_DIR", "/d"}});
  EXPECT_EQ(c.data_dir, "/d");
  EXPECT_EQ(c.media_dir, "/d/media");
}

TEST(ParseConfig, EmptyVariablesAreUnset) {
  Config c = MustParse({}, {{"WAGATE_PORT", ""}, {"WAGATE_API_KEY", ""}});
  EXPECT_EQ(c.port, 3000);
  EXPECT_EQ(c.api_key, "");
  // An empty flag value for a secret turns it off, even over the variable.
  c = MustParse({"--api-key="}, {{"WAGATE_API_KEY", "k"}});
  EXPECT_EQ(c.api_key, "");
}

TEST(ParseConfig, PositionalArguments) {
  Config c = MustParse({"--db", "sqlite:a.db", "seed.jsonl"});
  EXPECT_EQ(c.positional, std::vector<std::string>{"seed.jsonl"});
  c = MustParse({"-"});
  EXPECT_EQ(c.positional, std::vector<std::string>{"-"});
  c = MustParse({"--", "--port"});
  EXPECT_EQ(c.positional, std::vector<std::string>{"--port"});
}

TEST(ParseConfig, BadValuesNameTheSetting) {
  EXPECT_EQ(ErrorOf({}, {{"WAGATE_PORT", "abc"}}),
            "WAGATE_PORT: must be an integer 0-65535, got \"abc\"");
  EXPECT_EQ(ErrorOf({"--port=65536"}), "--port: must be an integer 0-65535, got \"65536\"");
  EXPECT_EQ(ErrorOf({"--port", "-1"}), "--port: must be an integer 0-65535, got \"-1\"");
  EXPECT_EQ(ErrorOf({"--port="}), "--port: must be an integer 0-65535, got \"\"");
  EXPECT_EQ(ErrorOf({}, {{"WAGATE_HOST", "example.test"}}).rfind("WAGATE_HOST: ", 0), 0u);
  EXPECT_EQ(ErrorOf({}, {{"WAGATE_DB", "postgres://u:pw@h/db"}}),
            "WAGATE_DB: must be sqlite:<path> or a mongodb:// URI, got \"postgres://***@h/db\"");
  EXPECT_EQ(ErrorOf({"--db=sqlite:"}).rfind("--db: ", 0), 0u);
  EXPECT_EQ(ErrorOf({"--db=mongodb://"}).rfind("--db: ", 0), 0u);
  EXPECT_EQ(ErrorOf({}, {{"WAGATE_INSTANCE", "a b"}}).rfind("WAGATE_INSTANCE: ", 0), 0u);
  EXPECT_EQ(ErrorOf({"--instance", std::string(65, 'a')}).rfind("--instance: ", 0), 0u);
  EXPECT_EQ(ErrorOf({}, {{"WAGATE_PUBLIC_URL", "ftp://x"}}).rfind("WAGATE_PUBLIC_URL: ", 0), 0u);
  EXPECT_EQ(ErrorOf({"--public-url=example.test"}).rfind("--public-url: ", 0), 0u);
  EXPECT_EQ(ErrorOf({}, {{"WAGATE_LOG_LEVEL", "loud"}}),
            "WAGATE_LOG_LEVEL: must be one of trace, debug, info, warn, error, critical, off, "
            "got \"loud\"");
  EXPECT_EQ(ErrorOf({}, {{"WAGATE_LOG_FORMAT", "xml"}}),
            "WAGATE_LOG_FORMAT: must be text or json, got \"xml\"");
  for (std::string bad : {"abc", "0", "1t", "2g", "-5", "1.5m", "k"}) {
    EXPECT_EQ(ErrorOf({}, {{"WAGATE_BODY_LIMIT", bad}}).rfind("WAGATE_BODY_LIMIT: ", 0), 0u) << bad;
  }
  EXPECT_EQ(ErrorOf({"--data-dir="}).rfind("--data-dir: ", 0), 0u);
  EXPECT_EQ(ErrorOf({"--media-dir="}).rfind("--media-dir: ", 0), 0u);
}

TEST(ParseConfig, SecretsAreNeverEchoed) {
  std::string m = ErrorOf({}, {{"WAGATE_API_KEY", "has space secret"}});
  EXPECT_EQ(m.rfind("WAGATE_API_KEY: ", 0), 0u);
  EXPECT_EQ(m.find("secret"), std::string::npos);
  m = ErrorOf({"--jwt-secret", std::string(5000, 'z')});
  EXPECT_EQ(m.rfind("--jwt-secret: ", 0), 0u);
  EXPECT_EQ(m.find("zzz"), std::string::npos);
}

TEST(ParseConfig, UnknownAndIncompleteFlags) {
  EXPECT_EQ(ErrorOf({"--prot=1"}), "unknown flag --prot (see wagate --help)");
  EXPECT_EQ(ErrorOf({"-p"}), "unknown flag -p (see wagate --help)");
  EXPECT_EQ(ErrorOf({"--port"}), "--port: missing value");
}

TEST(ParseByteSize, Forms) {
  EXPECT_EQ(ParseByteSize("100"), 100u);
  EXPECT_EQ(ParseByteSize("100b"), 100u);
  EXPECT_EQ(ParseByteSize("512k"), 512u * 1024);
  EXPECT_EQ(ParseByteSize("512KB"), 512u * 1024);
  EXPECT_EQ(ParseByteSize("1m"), 1024u * 1024);
  EXPECT_EQ(ParseByteSize("1mb"), 1024u * 1024);
  EXPECT_EQ(ParseByteSize("1gb"), 1024u * 1024 * 1024);
  EXPECT_EQ(ParseByteSize(""), std::nullopt);
  EXPECT_EQ(ParseByteSize("1 mb"), std::nullopt);
  EXPECT_EQ(ParseByteSize("99999999999999999999"), std::nullopt);
  EXPECT_EQ(ParseByteSize("99999999999999999g"), std::nullopt);
}

TEST(HelpText, ListsEveryFlagAndVariable) {
  std::string help = HelpText();
  for (std::string_view name : {"--host",
                                "WAGATE_HOST",
                                "--port",
                                "WAGATE_PORT",
                                "--api-key",
                                "WAGATE_API_KEY",
                                "--jwt-secret",
                                "WAGATE_JWT_SECRET",
                                "--db",
                                "WAGATE_DB",
                                "--data-dir",
                                "WAGATE_DATA_DIR",
                                "--media-dir",
                                "WAGATE_MEDIA_DIR",
                                "--instance",
                                "WAGATE_INSTANCE",
                                "--public-url",
                                "WAGATE_PUBLIC_URL",
                                "--log-level",
                                "WAGATE_LOG_LEVEL",
                                "--log-format",
                                "WAGATE_LOG_FORMAT",
                                "--body-limit",
                                "WAGATE_BODY_LIMIT",
                                "--cors-origins",
                                "WAGATE_CORS_ORIGINS",
                                "--events-keep",
                                "WAGATE_EVENTS_KEEP",
                                "--events-max-age",
                                "WAGATE_EVENTS_MAX_AGE",
                                "import"}) {
    EXPECT_NE(help.find(name), std::string::npos) << name;
  }
}

TEST(RedactUserInfo, HidesPasswords) {
  EXPECT_EQ(RedactUserInfo("mongodb://u:p@h:1/db"), "mongodb://***@h:1/db");
  EXPECT_EQ(RedactUserInfo("mongodb://h:1/db?x=a@b"), "mongodb://h:1/db?x=a@b");
  EXPECT_EQ(RedactUserInfo("mongodb://h"), "mongodb://h");
}

}  // namespace
}  // namespace app
