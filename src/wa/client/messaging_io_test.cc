// The messaging layer over loopback: the scripted server plays WhatsApp and
// relays for scripted peers, each a second Signal party built on wa/signal.
#include "wa/client/messaging_io_test_util.h"

namespace wa::client {
namespace {

using namespace msgtest;  // NOLINT

// <receipt type='retry'> from the peer's device 0 with its keys (count 2).
Node RetryFromPeer(const Party& peer) {
  Node receipt("receipt", {{"id", "3EB0R"}, {"type", "retry"}, {"t", "1790000400"}});
  receipt.SetAttr("from", Jid::Parse("15550100002@s.whatsapp.net").value());
  receipt.AddChild(Node("retry", {{"count", "2"}, {"id", "3EB0R"}, {"t", "1"}, {"v", "1"}}));
  receipt.AddChild(
      iq::BytesNode("registration", iq::EncodeBigEndian(peer.local.registration_id, 4)));
  Node keys("keys");
  keys.AddChild(iq::BytesNode("type", std::string(1, '\x05')));
  keys.AddChild(iq::BytesNode("identity", peer.local.identity.public_key));
  Node key("key");
  key.AddChild(iq::BytesNode("id", iq::EncodeBigEndian(peer.pre_keys[1].id, 3)));
  key.AddChild(iq::BytesNode("value", peer.pre_keys[1].key_pair.public_key));
  keys.AddChild(std::move(key));
  Node skey("skey");
  skey.AddChild(iq::BytesNode("id", iq::EncodeBigEndian(peer.signed_pre_key.id, 3)));
  skey.AddChild(iq::BytesNode("value", peer.signed_pre_key.key_pair.public_key));
  skey.AddChild(iq::BytesNode("signature", peer.signed_pre_key.signature));
  keys.AddChild(std::move(skey));
  receipt.AddChild(std::move(keys));
  return receipt;
}

Node ReadReceiptFromPeer() {
  Node receipt("receipt", {{"id", "3EB0A"}, {"type", "read"}, {"t", "1790000500"}});
  receipt.SetAttr("from", Jid::Parse("15550100002:3@s.whatsapp.net").value());
  receipt.AddChild(Node("list", {}, std::vector<Node>{Node("item", {{"id", "3EB0B"}})}));
  return receipt;
}

Node DeliveryReceiptFromPeer() {
  Node receipt("receipt", {{"id", "3EB0C"}, {"t", "1790000501"}});
  receipt.SetAttr("from", Jid::Parse("15550100002@s.whatsapp.net").value());
  return receipt;
}

Node DevicesNotification() {
  Node notification("notification", {{"id", "n9"}, {"type", "devices"}, {"t", "1"}});
  notification.SetAttr("from", Jid::Parse("15550100002@s.whatsapp.net").value());
  return notification;
}

// wasim's addressing: a peer's message from its LID device with sender_pn.
Node LidMessageFromPeer(const std::string& ciphertext) {
  Node message = EncMessage("L1", "100000000000002:3@lid", "pkmsg", ciphertext);
  message.SetAttr("addressing_mode", "lid");
  message.SetAttr("sender_pn", Jid::Parse("15550100002:3@s.whatsapp.net").value());
  return message;
}

Node PeerDevice3WithLid(const std::string& id) {
  Node reply =
      UsyncReply(id, {{"15550100002@s.whatsapp.net", {3}}, {"15550100001@s.whatsapp.net", {7}}});
  Node* user = reply.GetChild("usync")->GetChild("list")->GetChild("user");
  Node lid("lid");
  lid.SetAttr("val", Jid::Parse("100000000000002@lid").value());
  user->AddChild(std::move(lid));
  return reply;
}

Node NobodyThere(const std::string& id) {
  return UsyncReply(id, {{"15550100009@s.whatsapp.net", {}}, {"15550100001@s.whatsapp.net", {7}}});
}

std::vector<std::string> TwoIds() { return {"A1", "A2"}; }

SendRequest ToNobody() {
  return SendRequest{.to = "15550100009@s.whatsapp.net", .message = TextMessage("x")};
}

asio::awaitable<void> ReadThenSend(Client& client, std::optional<base::Status>* read,
                                   std::optional<base::Result<SendResult>>* sent) {
  *read = co_await client.SendReadReceipt("15550100002@s.whatsapp.net", "", TwoIds());
  *sent = co_await client.SendMessage(ToNobody());
}

Node LidFromPeer(const signal::EncryptedMessage& enc) {
  Node message = EncMessage("L3", "100000000000002@lid",
                            std::string(signal::MessageTypeName(enc.type)), enc.ciphertext);
  message.SetAttr("addressing_mode", "lid");
  message.SetAttr("sender_pn", Jid::Parse("15550100002@s.whatsapp.net").value());
  return message;
}

// Persist, then ack: a failed OnMessage leaves no receipt and no Signal
// state, so the redelivery decrypts again; the receipt follows the ok.
TEST_F(MessagingIo, ReceiptOnlyAfterTheSinkStoredIt) {
  auto client = NewMessagingClient(Config(), state_, sink_);
  sink_.statuses.push_back(base::Unavailable("store down"));
  std::vector<size_t> sessions_seen;
  sink_.on_message = [&](const IncomingMessage&) {
    sessions_seen.push_back(keys_->GetKeys("inst", "session", {"15550100002.0"})->size());
  };
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> first_reply, second_reply;
  size_t messages_at_receipt = 0;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    EXPECT_TRUE(
        signal::ProcessPreKeyBundle(*peer_.stores, kClientAddress, ClientBundle(*creds_.creds()))
            .ok());
    signal::EncryptedMessage enc = signal::Encrypt(*peer_.stores, kClientAddress,
                                                   signal::Pad(TextMessage("hello"), peer_.random))
                                       .value();
    EXPECT_EQ(enc.type, signal::MessageType::kPreKey);
    Node stanza = EncMessage("M1", "15550100002@s.whatsapp.net", "pkmsg", enc.ciphertext);
    co_await conn.Send(stanza);  // the sink fails this one
    co_await conn.Send(stanza);  // the redelivery
    first_reply = co_await conn.Receive();
    messages_at_receipt = sink_.messages.size();
    co_await conn.Send(ServerPing());
    second_reply = co_await conn.Receive();
    client->Close();
  });
  EXPECT_EQ(d.kind, DisconnectKind::kClosed) << d.reason;
  ASSERT_EQ(sink_.messages.size(), 2u);
  EXPECT_EQ(messages_at_receipt, 2u);
  for (const IncomingMessage& m : sink_.messages) {
    EXPECT_EQ(TextOf(m.message), "hello");
    EXPECT_EQ(m.id, "M1");
    EXPECT_EQ(m.chat, "15550100002@s.whatsapp.net");
    EXPECT_EQ(m.sender, "15550100002@s.whatsapp.net");
    EXPECT_EQ(m.push_name, "Bob");
    EXPECT_EQ(m.timestamp_ms, 1790000100000);
    EXPECT_FALSE(m.from_me);
    EXPECT_FALSE(m.undecryptable);
  }
  // Nothing was written while the sink ran, both times.
  EXPECT_EQ(sessions_seen, (std::vector<size_t>{0, 0}));
  EXPECT_EQ(keys_->GetKeys("inst", "session", {"15550100002.0"})->size(), 1u);
  ASSERT_TRUE(first_reply);
  EXPECT_EQ(first_reply->DebugString(), "<receipt id='M1' to='15550100002@s.whatsapp.net'/>");
  ASSERT_TRUE(second_reply);
  EXPECT_EQ(second_reply->tag, "iq");  // the pong: no second receipt
}

TEST_F(MessagingIo, UndecryptableSendsARetryReceiptAndAPlaceholder) {
  auto client = NewMessagingClient(Config(), state_, sink_);
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> retry, nack;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    co_await conn.Send(EncMessage("M2", "15550100002@s.whatsapp.net", "msg", "garbage"));
    retry = co_await conn.Receive();
    nack = co_await conn.Receive();
    client->Close();
  });
  EXPECT_EQ(d.kind, DisconnectKind::kClosed) << d.reason;
  ASSERT_EQ(sink_.messages.size(), 1u);
  EXPECT_TRUE(sink_.messages[0].undecryptable);
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->tag, "receipt");
  EXPECT_EQ(retry->GetAttrText("type"), "retry");
  ASSERT_NE(retry->GetChild("retry"), nullptr);
  EXPECT_EQ(retry->GetChild("retry")->GetAttrText("count"), "1");
  ASSERT_TRUE(nack);
  EXPECT_EQ(nack->tag, "ack");
  EXPECT_EQ(nack->GetAttrText("error"), "500");
}

// usync for peer and own user, bundles for the devices without a session,
// one pkmsg per device (device-sent for our phone), then the server's ack.
TEST_F(MessagingIo, SendsToPeerAndOwnPhone) {
  auto client = NewMessagingClient(Config(), state_, sink_);
  std::optional<base::Result<SendResult>> result;
  SendRequest request{
      .to = "15550100002@s.whatsapp.net", .id = "3EB0TEST", .message = TextMessage("hi")};
  observer_.on_open = [&] {
    asio::co_spawn(io_, SendOne(*client, request, &result), asio::detached);
  };
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> usync, bundles, message;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    usync = co_await conn.Receive();
    if (!usync) co_return;
    co_await conn.Send(PeerAndOwnDevices(*usync->GetAttrText("id")));
    bundles = co_await conn.Receive();
    if (!bundles) co_return;
    co_await conn.Send(PeerAndPhoneBundles(*bundles->GetAttrText("id"), peer_, own_phone_));
    message = co_await conn.Receive();
    if (!message) co_return;
    co_await conn.Send(MessageAck("3EB0TEST", "15550100002@s.whatsapp.net"));
    for (int i = 0; i < 200 && !result; ++i) {
      asio::steady_timer wait(co_await asio::this_coro::executor, std::chrono::milliseconds(5));
      co_await wait.async_wait(kTuple);
    }
    client->Close();
  });
  EXPECT_EQ(d.kind, DisconnectKind::kClosed) << d.reason;
  ASSERT_TRUE(result);
  ASSERT_TRUE(result->ok()) << result->status().ToString();
  EXPECT_EQ((*result)->id, "3EB0TEST");
  EXPECT_EQ((*result)->timestamp_ms, 1790000200000);
  ASSERT_TRUE(usync);
  EXPECT_EQ(usync->GetAttrText("xmlns"), "usync");
  ASSERT_TRUE(bundles);
  EXPECT_EQ(bundles->GetAttrText("xmlns"), "encrypt");
  ASSERT_TRUE(message);
  EXPECT_EQ(message->tag, "message");
  EXPECT_EQ(message->GetAttrText("to"), "15550100002@s.whatsapp.net");
  EXPECT_NE(message->GetChild("device-identity"), nullptr);
  const Node* to_peer = EncFor(*message, "15550100002@s.whatsapp.net");
  const Node* to_phone = EncFor(*message, "15550100001@s.whatsapp.net");
  ASSERT_NE(to_peer, nullptr) << message->DebugString();
  ASSERT_NE(to_phone, nullptr) << message->DebugString();
  EXPECT_EQ(EncFor(*message, "15550100001:7@s.whatsapp.net"), nullptr);
  EXPECT_EQ(TextOf(Decrypted(peer_, kClientAddress, *to_peer)), "hi");
  proto::Message wrapped =
      proto::Parse<proto::Message>(Decrypted(own_phone_, kClientAddress, *to_phone)).value();
  EXPECT_EQ(wrapped.device_sent_message().destination_jid(), "15550100002@s.whatsapp.net");
  EXPECT_EQ(wrapped.device_sent_message().message().conversation(), "hi");
  EXPECT_TRUE(state_.FindSent("3EB0TEST"));
  EXPECT_TRUE(state_.GetDevices("15550100002@s.whatsapp.net"));
}

// A retry receipt with keys: the client rebuilds the session from them and
// resends the message to that one device.
TEST_F(MessagingIo, RetryReceiptResendsToTheDevice) {
  auto client = NewMessagingClient(Config(), state_, sink_);
  state_.RememberSent(
      "3EB0R",
      {.to = "15550100002@s.whatsapp.net", .message = TextMessage("again"), .type = "text"});
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> resend, ack;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    co_await conn.Send(RetryFromPeer(peer_));
    resend = co_await conn.Receive();
    ack = co_await conn.Receive();
    client->Close();
  });
  EXPECT_EQ(d.kind, DisconnectKind::kClosed) << d.reason;
  ASSERT_TRUE(resend);
  EXPECT_EQ(resend->tag, "message");
  EXPECT_EQ(resend->GetAttrText("device_fanout"), "false");
  EXPECT_EQ(resend->GetAttrText("id"), "3EB0R");
  const Node* direct = resend->GetChild("enc");
  ASSERT_NE(direct, nullptr);
  EXPECT_EQ(direct->GetAttrText("count"), "2");
  EXPECT_EQ(resend->GetChild("participants"), nullptr);
  EXPECT_EQ(resend->GetAttrText("to"), "15550100002@s.whatsapp.net");
  EXPECT_EQ(TextOf(Decrypted(peer_, kClientAddress, *direct)), "again");
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->GetAttrText("class"), "receipt");
  EXPECT_EQ(ack->GetAttrText("type"), "retry");
}

// Receipts for our sends reach the sink and are acked; a devices
// notification drops the cached list and is acked.
TEST_F(MessagingIo, ReceiptsAndDeviceNotifications) {
  auto client = NewMessagingClient(Config(), state_, sink_);
  state_.PutDevices("15550100002@s.whatsapp.net", {.ids = {0}, .fetched_ms = 0});
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> ack1, ack2, ack3;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    co_await conn.Send(ReadReceiptFromPeer());
    ack1 = co_await conn.Receive();
    co_await conn.Send(DeliveryReceiptFromPeer());
    ack2 = co_await conn.Receive();
    co_await conn.Send(DevicesNotification());
    ack3 = co_await conn.Receive();
    client->Close();
  });
  EXPECT_EQ(d.kind, DisconnectKind::kClosed) << d.reason;
  ASSERT_EQ(sink_.receipts.size(), 2u);
  EXPECT_EQ(sink_.receipts[0].status, "read");
  EXPECT_EQ(sink_.receipts[0].ids, (std::vector<std::string>{"3EB0A", "3EB0B"}));
  EXPECT_EQ(sink_.receipts[0].chat, "15550100002@s.whatsapp.net");
  EXPECT_EQ(sink_.receipts[0].from, "15550100002:3@s.whatsapp.net");
  EXPECT_EQ(sink_.receipts[0].timestamp_ms, 1790000500000);
  EXPECT_EQ(sink_.receipts[1].status, "delivered");
  ASSERT_TRUE(ack1);
  EXPECT_EQ(ack1->DebugString(),
            "<ack id='3EB0A' to='15550100002:3@s.whatsapp.net' class='receipt' type='read'/>");
  ASSERT_TRUE(ack2);
  EXPECT_EQ(ack2->GetAttrText("class"), "receipt");
  ASSERT_TRUE(ack3);
  EXPECT_EQ(ack3->GetAttrText("class"), "notification");
  EXPECT_FALSE(state_.GetDevices("15550100002@s.whatsapp.net"));
  EXPECT_TRUE(observer_.stanzas.empty());
}

// A LID-addressed message teaches PN ↔ LID; a reply to the PN chat then
// uses the LID-keyed session (a `msg`, no bundle fetch) [§8.3].
TEST_F(MessagingIo, ReplyToPnChatUsesTheLidSession) {
  auto client = NewMessagingClient(Config(), state_, sink_);
  std::optional<base::Result<SendResult>> result;
  SendRequest request{
      .to = "15550100002@s.whatsapp.net", .id = "3EB0LID", .message = TextMessage("back")};
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> receipt, message;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    EXPECT_TRUE(
        signal::ProcessPreKeyBundle(*peer_.stores, kClientAddress, ClientBundle(*creds_.creds()))
            .ok());
    signal::EncryptedMessage enc =
        signal::Encrypt(*peer_.stores, kClientAddress,
                        signal::Pad(TextMessage("from lid"), peer_.random))
            .value();
    co_await conn.Send(LidMessageFromPeer(enc.ciphertext));
    receipt = co_await conn.Receive();
    asio::co_spawn(co_await asio::this_coro::executor, SendOne(*client, request, &result),
                   asio::detached);
    std::optional<Node> usync = co_await conn.Receive();
    if (!usync) co_return;
    co_await conn.Send(PeerDevice3WithLid(*usync->GetAttrText("id")));
    message = co_await conn.Receive();  // no bundle fetch before it
    if (!message) co_return;
    co_await conn.Send(MessageAck("3EB0LID", "15550100002@s.whatsapp.net"));
    for (int i = 0; i < 200 && !result; ++i) {
      asio::steady_timer wait(co_await asio::this_coro::executor, std::chrono::milliseconds(5));
      co_await wait.async_wait(kTuple);
    }
    client->Close();
  });
  EXPECT_EQ(d.kind, DisconnectKind::kClosed) << d.reason;
  ASSERT_EQ(sink_.messages.size(), 1u);
  EXPECT_EQ(sink_.messages[0].chat, "100000000000002@lid");
  EXPECT_EQ(sink_.messages[0].sender_alt, "15550100002@s.whatsapp.net");
  EXPECT_EQ(state_.LidForPn("15550100002"), "100000000000002");
  ASSERT_TRUE(receipt);
  EXPECT_EQ(receipt->GetAttrText("to"), "100000000000002:3@lid");
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->ok()) << result->status().ToString();
  ASSERT_TRUE(message);
  EXPECT_EQ(message->tag, "message") << message->DebugString();
  const Node* enc = EncFor(*message, "15550100002:3@s.whatsapp.net");
  ASSERT_NE(enc, nullptr) << message->DebugString();
  EXPECT_EQ(enc->GetAttrText("type"), "msg");
  EXPECT_EQ(message->GetChild("device-identity"), nullptr);
  EXPECT_EQ(TextOf(Decrypted(peer_, kClientAddress, *enc)), "back");
}

TEST_F(MessagingIo, ReadReceiptAndUnknownRecipient) {
  auto client = NewMessagingClient(Config(), state_, sink_);
  std::optional<base::Status> read;
  std::optional<base::Result<SendResult>> sent;
  observer_.on_open = [&] {
    asio::co_spawn(io_, ReadThenSend(*client, &read, &sent), asio::detached);
  };
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> receipt;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    receipt = co_await conn.Receive();
    std::optional<Node> usync = co_await conn.Receive();
    if (!usync) co_return;
    co_await conn.Send(NobodyThere(*usync->GetAttrText("id")));
    for (int i = 0; i < 200 && !sent; ++i) {
      asio::steady_timer wait(co_await asio::this_coro::executor, std::chrono::milliseconds(5));
      co_await wait.async_wait(kTuple);
    }
    client->Close();
  });
  EXPECT_EQ(d.kind, DisconnectKind::kClosed) << d.reason;
  ASSERT_TRUE(read);
  EXPECT_TRUE(read->ok()) << read->ToString();
  ASSERT_TRUE(receipt);
  EXPECT_EQ(receipt->GetAttrText("type"), "read");
  EXPECT_EQ(receipt->GetAttrText("id"), "A1");
  EXPECT_EQ(receipt->GetAttrText("to"), "15550100002@s.whatsapp.net");
  ASSERT_NE(receipt->GetChild("list"), nullptr);
  ASSERT_TRUE(sent);
  ASSERT_FALSE(sent->ok());
  EXPECT_EQ(sent->status().code(), base::Code::kNotFound);
  EXPECT_NE(sent->status().message().find("is not on WhatsApp"), std::string::npos);
}

// A session made while the peer was PN-addressed moves to its LID address
// when a LID-addressed stanza (with sender_pn) reveals the mapping.
TEST_F(MessagingIo, PnSessionMovesToTheLidAddress) {
  auto client = NewMessagingClient(Config(), state_, sink_);
  noise::Responder responder = pki_.NewResponder();
  std::optional<proto::ClientPayload> payload;
  std::optional<Node> r1, r2;
  Disconnect d = RunClient(*client, [&](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await LoginScript(conn, responder, &payload)) co_return;
    EXPECT_TRUE(
        signal::ProcessPreKeyBundle(*peer_.stores, kClientAddress, ClientBundle(*creds_.creds()))
            .ok());
    signal::EncryptedMessage first =
        signal::Encrypt(*peer_.stores, kClientAddress,
                        signal::Pad(TextMessage("as pn"), peer_.random))
            .value();
    co_await conn.Send(EncMessage("P1", "15550100002@s.whatsapp.net", "pkmsg", first.ciphertext));
    r1 = co_await conn.Receive();
    // Still a pkmsg (the client never answered), on the same session: it
    // decrypts only where the session is, so the migration is what is tested.
    signal::EncryptedMessage second =
        signal::Encrypt(*peer_.stores, kClientAddress,
                        signal::Pad(TextMessage("as lid"), peer_.random))
            .value();
    co_await conn.Send(LidFromPeer(second));
    r2 = co_await conn.Receive();
    client->Close();
  });
  EXPECT_EQ(d.kind, DisconnectKind::kClosed) << d.reason;
  ASSERT_EQ(sink_.messages.size(), 2u);
  EXPECT_EQ(TextOf(sink_.messages[0].message), "as pn");
  EXPECT_FALSE(sink_.messages[1].undecryptable) << sink_.messages[1].error;
  EXPECT_EQ(TextOf(sink_.messages[1].message), "as lid");
  EXPECT_EQ(keys_->GetKeys("inst", "session", {"15550100002.0"})->size(), 0u);
  EXPECT_EQ(keys_->GetKeys("inst", "session", {"100000000000002_1.0"})->size(), 1u);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->GetAttrText("to"), "100000000000002@lid");
}

}  // namespace
}  // namespace wa::client
