#include "wa/signal/session.h"

#include <gtest/gtest.h>

#include <thread>

#include "wa/signal/test_util.h"

namespace wa::signal {
namespace {

using testing::Party;

class SessionTest : public ::testing::Test {
 protected:
  Party alice{1, Address::ForUser("100000000000001", 1, 0)};
  Party bob{2, Address{"15550002222", 3}};

  EncryptedMessage Send(Party& from, Party& to, std::string_view text) {
    auto message = Encrypt(*from.stores, to.address, text);
    EXPECT_TRUE(message.ok()) << message.status().ToString();
    return message.ok() ? *message : EncryptedMessage{};
  }
  std::string Receive(Party& at, Party& from, const EncryptedMessage& message) {
    auto plaintext = Decrypt(*at.stores, from.address, message.type, message.ciphertext);
    EXPECT_TRUE(plaintext.ok()) << plaintext.status().ToString();
    return plaintext.ok() ? *plaintext : "";
  }
};

TEST_F(SessionTest, PkmsgThenMsgBothWays) {
  ASSERT_TRUE(ProcessPreKeyBundle(*alice.stores, bob.address, bob.Bundle(3)).ok());
  EXPECT_TRUE(*alice.stores->HasSession(bob.address));
  EXPECT_EQ(*RemoteRegistrationId(*alice.stores, bob.address), bob.local.registration_id);

  auto m1 = Send(alice, bob, "hello bob");
  EXPECT_EQ(m1.type, MessageType::kPreKey);
  EXPECT_EQ(static_cast<unsigned char>(m1.ciphertext[0]), 0x33);
  auto m2 = Send(alice, bob, "still pkmsg");
  EXPECT_EQ(m2.type, MessageType::kPreKey);  // until bob answers [§8.2]
  EXPECT_EQ(Receive(bob, alice, m1), "hello bob");
  EXPECT_EQ(Receive(bob, alice, m2), "still pkmsg");
  // The one-time pre-key was used up; bob's identity store learnt alice (TOFU).
  EXPECT_FALSE(bob.kv.GetOne(kPreKeyType, "3")->has_value());
  EXPECT_EQ(**bob.stores->IdentityKey(alice.address), "\x05" + alice.local.identity.public_key);

  auto r1 = Send(bob, alice, "hi alice");
  EXPECT_EQ(r1.type, MessageType::kWhisper);
  EXPECT_EQ(Receive(alice, bob, r1), "hi alice");
  auto m3 = Send(alice, bob, "now msg");
  EXPECT_EQ(m3.type, MessageType::kWhisper);
  EXPECT_EQ(Receive(bob, alice, m3), "now msg");
  for (int i = 0; i < 5; ++i) {
    auto a = Send(alice, bob, "a" + std::to_string(i));
    auto b = Send(bob, alice, "b" + std::to_string(i));
    EXPECT_EQ(Receive(bob, alice, a), "a" + std::to_string(i));
    EXPECT_EQ(Receive(alice, bob, b), "b" + std::to_string(i));
  }
}

TEST_F(SessionTest, WithoutOneTimePreKey) {
  ASSERT_TRUE(ProcessPreKeyBundle(*alice.stores, bob.address, bob.Bundle(std::nullopt)).ok());
  auto m1 = Send(alice, bob, "no opk");
  EXPECT_EQ(Receive(bob, alice, m1), "no opk");
  EXPECT_EQ(bob.kv.Count(kPreKeyType), 10u);
}

TEST_F(SessionTest, OutOfOrderAndDuplicate) {
  ASSERT_TRUE(ProcessPreKeyBundle(*alice.stores, bob.address, bob.Bundle()).ok());
  EXPECT_EQ(Receive(bob, alice, Send(alice, bob, "first")), "first");
  auto reply = Send(bob, alice, "ack");
  EXPECT_EQ(Receive(alice, bob, reply), "ack");
  auto m1 = Send(alice, bob, "one");
  auto m2 = Send(alice, bob, "two");
  auto m3 = Send(alice, bob, "three");
  EXPECT_EQ(Receive(bob, alice, m3), "three");
  EXPECT_EQ(Receive(bob, alice, m1), "one");
  auto duplicate = Decrypt(*bob.stores, alice.address, m1.type, m1.ciphertext);
  EXPECT_EQ(duplicate.status().code(), base::Code::kAlreadyExists) << duplicate.status().ToString();
  EXPECT_EQ(Receive(bob, alice, m2), "two");
  EXPECT_EQ(Decrypt(*bob.stores, alice.address, m3.type, m3.ciphertext).status().code(),
            base::Code::kAlreadyExists);
  // Across a DH ratchet step: bob replies, alice's old chain message arrives late.
  auto late = Send(alice, bob, "late");
  auto r = Send(bob, alice, "r");
  EXPECT_EQ(Receive(alice, bob, r), "r");
  auto fresh = Send(alice, bob, "fresh");
  EXPECT_EQ(Receive(bob, alice, fresh), "fresh");
  EXPECT_EQ(Receive(bob, alice, late), "late");
}

TEST_F(SessionTest, ErrorsAreStatuses) {
  EXPECT_EQ(Encrypt(*alice.stores, bob.address, "x").status().code(), base::Code::kNotFound);
  ASSERT_TRUE(ProcessPreKeyBundle(*alice.stores, bob.address, bob.Bundle()).ok());
  auto m1 = Send(alice, bob, "x");
  // Garbage, truncation, a flipped MAC bit.
  EXPECT_EQ(Decrypt(*bob.stores, alice.address, MessageType::kPreKey, "garbage").status().code(),
            base::Code::kDataLoss);
  EXPECT_EQ(Decrypt(*bob.stores, alice.address, MessageType::kPreKey, "").status().code(),
            base::Code::kDataLoss);
  std::string truncated = m1.ciphertext.substr(0, m1.ciphertext.size() / 2);
  EXPECT_EQ(Decrypt(*bob.stores, alice.address, m1.type, truncated).status().code(),
            base::Code::kDataLoss);
  // A msg with no session.
  EXPECT_EQ(Receive(bob, alice, m1), "x");
  auto r = Send(bob, alice, "r");
  std::string flipped = r.ciphertext;
  flipped.back() ^= 1;  // in the 8-byte MAC
  EXPECT_EQ(Decrypt(*alice.stores, bob.address, r.type, flipped).status().code(),
            base::Code::kDataLoss);
  Party carol{3, Address{"15550003333", 0}};
  auto no_session = Decrypt(*carol.stores, bob.address, r.type, r.ciphertext);
  EXPECT_EQ(no_session.status().code(), base::Code::kNotFound) << no_session.status().ToString();
  // Bad bundles.
  PreKeyBundle bad = bob.Bundle();
  bad.signed_pre_key_signature[5] ^= 1;
  EXPECT_EQ(ProcessPreKeyBundle(*carol.stores, bob.address, bad).code(),
            base::Code::kInvalidArgument);
  bad = bob.Bundle();
  bad.identity_key = "short";
  EXPECT_EQ(ProcessPreKeyBundle(*carol.stores, bob.address, bad).code(),
            base::Code::kInvalidArgument);
  EXPECT_EQ(Decrypt(*bob.stores, alice.address, MessageType::kSenderKey, "x").status().code(),
            base::Code::kInvalidArgument);
}

TEST_F(SessionTest, UsedPreKeyIsNotFound) {
  ASSERT_TRUE(ProcessPreKeyBundle(*alice.stores, bob.address, bob.Bundle(2)).ok());
  auto m1 = Send(alice, bob, "x");
  ASSERT_TRUE(bob.kv.Delete(kPreKeyType, "2").ok());
  auto result = Decrypt(*bob.stores, alice.address, m1.type, m1.ciphertext);
  EXPECT_EQ(result.status().code(), base::Code::kNotFound) << result.status().ToString();
}

TEST_F(SessionTest, StoreFailureKeepsItsStatus) {
  ASSERT_TRUE(ProcessPreKeyBundle(*alice.stores, bob.address, bob.Bundle()).ok());
  auto m1 = Send(alice, bob, "x");
  bob.kv.FailNext(base::Unavailable("disk gone"));
  auto result = Decrypt(*bob.stores, alice.address, m1.type, m1.ciphertext);
  EXPECT_EQ(result.status().code(), base::Code::kUnavailable) << result.status().ToString();
  // Nothing was consumed: the retry works.
  EXPECT_EQ(Receive(bob, alice, m1), "x");
  // A failure inside a libsignal store callback (the session lookup of a msg) keeps
  // its code too, instead of libsignal's SG_ERR_UNKNOWN.
  auto r = Send(bob, alice, "r");
  alice.kv.FailNext(base::Unavailable("disk gone again"));
  auto failed = Decrypt(*alice.stores, bob.address, r.type, r.ciphertext);
  EXPECT_EQ(failed.status().code(), base::Code::kUnavailable) << failed.status().ToString();
  EXPECT_NE(failed.status().message().find("session 15550002222.3: disk gone again"),
            std::string::npos)
      << failed.status().ToString();
  EXPECT_EQ(Receive(alice, bob, r), "r");
}

TEST_F(SessionTest, RestartFromStoredBytes) {
  ASSERT_TRUE(ProcessPreKeyBundle(*alice.stores, bob.address, bob.Bundle()).ok());
  EXPECT_EQ(Receive(bob, alice, Send(alice, bob, "before")), "before");
  auto in_flight = Send(alice, bob, "in flight");
  alice.Open();
  bob.Open();
  EXPECT_EQ(Receive(bob, alice, in_flight), "in flight");
  EXPECT_EQ(Receive(alice, bob, Send(bob, alice, "after")), "after");
  // A copy of the KV bytes in a brand-new party object works too.
  MemoryKeyValueStore copy(bob.kv);
  auto context = Context::Create(bob.random).value();
  auto stores = Stores::Create(*context, copy, bob.local).value();
  auto m = Send(alice, bob, "to the copy");
  auto plaintext = Decrypt(*stores, alice.address, m.type, m.ciphertext);
  ASSERT_TRUE(plaintext.ok()) << plaintext.status().ToString();
  EXPECT_EQ(*plaintext, "to the copy");
}

TEST_F(SessionTest, ChangedIdentityReplacesSession) {
  ASSERT_TRUE(ProcessPreKeyBundle(*alice.stores, bob.address, bob.Bundle(1)).ok());
  EXPECT_EQ(Receive(bob, alice, Send(alice, bob, "v1")), "v1");
  // Alice reinstalls: same address, new identity.
  Party alice2{11, alice.address};
  ASSERT_TRUE(ProcessPreKeyBundle(*alice2.stores, bob.address, bob.Bundle(2)).ok());
  EXPECT_EQ(Receive(bob, alice2, Send(alice2, bob, "v2")), "v2");
  EXPECT_EQ(**bob.stores->IdentityKey(alice.address), "\x05" + alice2.local.identity.public_key);
  EXPECT_EQ(Receive(alice2, bob, Send(bob, alice2, "back")), "back");
}

TEST_F(SessionTest, NewBundleReplacesOpenSession) {
  ASSERT_TRUE(ProcessPreKeyBundle(*alice.stores, bob.address, bob.Bundle(1)).ok());
  EXPECT_EQ(Receive(bob, alice, Send(alice, bob, "s1")), "s1");
  EXPECT_EQ(Receive(alice, bob, Send(bob, alice, "r1")), "r1");
  // A forced refresh (usync with <lid>, §8.6) builds a new outgoing session.
  ASSERT_TRUE(ProcessPreKeyBundle(*alice.stores, bob.address, bob.Bundle(4)).ok());
  auto m = Send(alice, bob, "s2");
  EXPECT_EQ(m.type, MessageType::kPreKey);
  EXPECT_EQ(Receive(bob, alice, m), "s2");
  EXPECT_EQ(Receive(alice, bob, Send(bob, alice, "r2")), "r2");
}

TEST_F(SessionTest, ConcurrentUseOfOneContext) {
  ASSERT_TRUE(ProcessPreKeyBundle(*alice.stores, bob.address, bob.Bundle()).ok());
  EXPECT_EQ(Receive(bob, alice, Send(alice, bob, "x")), "x");
  EXPECT_EQ(Receive(alice, bob, Send(bob, alice, "y")), "y");
  std::vector<EncryptedMessage> messages(200);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < 200; i += 4) {
        messages[i] = Encrypt(*alice.stores, bob.address, std::to_string(i)).value();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> seen;
  for (const auto& m : messages) seen.insert(Receive(bob, alice, m));
  EXPECT_EQ(seen.size(), 200u);
}

TEST(MessageType, Names) {
  EXPECT_EQ(MessageTypeName(MessageType::kPreKey), "pkmsg");
  EXPECT_EQ(*ParseMessageType("skmsg"), MessageType::kSenderKey);
  EXPECT_EQ(ParseMessageType("msmsg").status().code(), base::Code::kInvalidArgument);
}

}  // namespace
}  // namespace wa::signal
