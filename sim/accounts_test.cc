#include "sim/accounts.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace sim {
namespace {

std::string TempPath(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("wasim_accounts_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

Device SampleDevice() {
  Device d;
  d.id = 1;
  d.key_index = 1;
  d.noise_key = std::string(32, 'n');
  d.identity_key = std::string(32, 'i');
  d.registration_id = 4242;
  d.signed_prekey = {7, std::string(32, 's'), std::string(64, 'g')};
  d.prekeys = {{1, std::string(32, 'a')}, {2, std::string(32, 'b')}};
  d.platform = "1";
  d.linked_at_ms = 1'790'000'000'000;
  return d;
}

TEST(AccountStore, PersistsAccountsAndDevicesAcrossLoads) {
  base::SeededRandom random(7);
  const std::string path = TempPath("roundtrip.json");
  std::filesystem::remove(path);
  {
    AccountStore store(path, random);
    ASSERT_TRUE(store.Load().ok());
    auto a = store.CreateAccount("15550100001", "Alice");
    ASSERT_TRUE(a.ok());
    (*a)->devices[1] = SampleDevice();
    (*a)->next_device_id = 2;
    ASSERT_TRUE(AccountStore::TakePrimaryPreKey(**a).has_value());
    ASSERT_TRUE(store.CreateAccount("15550100002", "Bob").ok());
    ASSERT_TRUE(store.Save().ok());
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  }
  AccountStore loaded(path, random);
  ASSERT_TRUE(loaded.Load().ok());
  ASSERT_EQ(loaded.List().size(), 2u);
  Account* a = loaded.FindByPhone("15550100001");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->name, "Alice");
  EXPECT_EQ(a->lid, "100000000000001");
  EXPECT_EQ(loaded.FindByLid("100000000000002"), loaded.FindByPhone("15550100002"));
  EXPECT_EQ(a->next_device_id, 2);
  EXPECT_EQ(a->primary.prekeys.size(), kPrimaryPreKeys - 1);
  EXPECT_EQ(a->primary.prekeys.front().id, 2u);
  EXPECT_EQ(a->primary.account_key.public_key.size(), 32u);
  ASSERT_EQ(a->devices.count(1), 1u);
  const Device& d = a->devices[1];
  const Device want = SampleDevice();
  EXPECT_EQ(d.noise_key, want.noise_key);
  EXPECT_EQ(d.identity_key, want.identity_key);
  EXPECT_EQ(d.registration_id, want.registration_id);
  EXPECT_EQ(d.signed_prekey.signature, want.signed_prekey.signature);
  EXPECT_EQ(d.prekeys, want.prekeys);
  EXPECT_EQ(d.linked_at_ms, want.linked_at_ms);
  // A new account after reload continues the LID sequence.
  auto c = loaded.CreateAccount("15550100003", "Carol");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->lid, "100000000000003");
  EXPECT_EQ(loaded.FindByJid(wa::Jid("100000000000003", "lid")), *c);
}

TEST(AccountStore, CreateIsIdempotentAndValidatesPhones) {
  base::SeededRandom random(1);
  AccountStore store("", random);
  auto a = store.CreateAccount("15550100001", "Alice");
  auto again = store.CreateAccount("15550100001", "Other");
  ASSERT_TRUE(a.ok() && again.ok());
  EXPECT_EQ(*a, *again);
  EXPECT_EQ((*again)->name, "Alice");
  for (const char* bad :
       {"", "+15550100001", "1555", "0155501000011", "1555010000a", "1234567890123456"}) {
    EXPECT_EQ(store.CreateAccount(bad, "x").status().code(), base::Code::kInvalidArgument) << bad;
  }
}

TEST(AccountStore, CorruptFileIsDataLoss) {
  base::SeededRandom random(1);
  const std::string path = TempPath("corrupt.json");
  std::ofstream(path) << "{\"nextLid\": 1, \"accounts\": [{\"phone\": 5}]}";
  AccountStore store(path, random);
  EXPECT_EQ(store.Load().code(), base::Code::kDataLoss);
  std::ofstream(path, std::ios::trunc) << "not json";
  EXPECT_EQ(store.Load().code(), base::Code::kDataLoss);
}

TEST(AccountStore, PrimaryPreKeysRunOut) {
  base::SeededRandom random(1);
  AccountStore store("", random);
  Account* a = *store.CreateAccount("15550100001", "");
  for (uint32_t i = 0; i < kPrimaryPreKeys; ++i) {
    ASSERT_TRUE(AccountStore::TakePrimaryPreKey(*a).has_value());
  }
  EXPECT_FALSE(AccountStore::TakePrimaryPreKey(*a).has_value());
}

}  // namespace
}  // namespace sim
