#include "wa/client/prekeys.h"

#include <gtest/gtest.h>

#include "wa/iq/iq.h"

namespace wa::client {
namespace {

TEST(PreKeys, HowManyToUpload) {
  EXPECT_EQ(PreKeysToUpload(0), 812u);
  EXPECT_EQ(PreKeysToUpload(1), kRefillPreKeyCount);
  EXPECT_EQ(PreKeysToUpload(5), kRefillPreKeyCount);
  EXPECT_EQ(PreKeysToUpload(6), 0u);
  EXPECT_EQ(PreKeysToUpload(812), 0u);
}

TEST(PreKeys, BatchHasRecordsCountersAndUpload) {
  base::SeededRandom random(8);
  Creds creds = NewCreds(random).value();
  creds.next_prekey_id = 10;
  PreKeyBatch batch = NewPreKeyBatch(creds, 3, random).value();
  EXPECT_EQ(batch.creds.next_prekey_id, 13u);
  EXPECT_EQ(batch.creds.first_unuploaded_prekey_id, creds.first_unuploaded_prekey_id);
  std::vector<std::string> prekey_ids;
  bool signed_prekey = false;
  for (const store::KeyWrite& write : batch.writes) {
    ASSERT_TRUE(write.value);
    EXPECT_FALSE(write.value->empty());
    if (write.type == "pre-key") prekey_ids.push_back(write.id);
    if (write.type == "signed-pre-key" && write.id == "1") signed_prekey = true;
  }
  EXPECT_EQ(prekey_ids, (std::vector<std::string>{"10", "11", "12"}));
  EXPECT_TRUE(signed_prekey);
  auto keys = batch.upload.GetChild("list")->GetChildren("key");
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(iq::DecodeBigEndian(keys[0]->GetChild("id")->bytes()->view()).value(), 10u);
  EXPECT_EQ(batch.upload.GetChild("identity")->bytes()->view(), creds.identity.public_key);

  creds.next_prekey_id = 0xFFFFFF;
  EXPECT_EQ(NewPreKeyBatch(creds, 2, random).status().code(), base::Code::kResourceExhausted);
}

}  // namespace
}  // namespace wa::client
