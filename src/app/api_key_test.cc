#include "app/api_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace app {
namespace {

namespace fs = std::filesystem;

class ApiKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("wagate-api-key-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  base::SeededRandom random_{42};
};

TEST_F(ApiKeyTest, CreatedOnceWithMode0600ThenReused) {
  std::string data = (dir_ / "nested").string();
  auto first = LoadOrCreateApiKey(data, random_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->key.size(), 64u);
  EXPECT_EQ(first->key.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(first->path, (fs::path(data) / "api-key").string());
  struct stat st {};
  ASSERT_EQ(::stat(first->path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  auto second = LoadOrCreateApiKey(data, random_);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->key, first->key);
  // No temporary file is left behind.
  int files = 0;
  for (const auto& e : fs::directory_iterator(data)) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST_F(ApiKeyTest, ExistingFileIsUsedAndTrimmed) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "api-key") << "my-own-key\n";
  auto key = LoadOrCreateApiKey(dir_.string(), random_);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->key, "my-own-key");
  EXPECT_FALSE(key->created);
}

TEST_F(ApiKeyTest, EmptyFileIsAnError) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "api-key") << "\n";
  auto key = LoadOrCreateApiKey(dir_.string(), random_);
  EXPECT_EQ(key.status().code(), base::Code::kDataLoss);
}

}  // namespace
}  // namespace app
