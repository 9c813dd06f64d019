// Content: what a WhatsApp `Message` protobuf means for the store and the
// API (api.md "Message object") [whatsapp-protocol.md §9], and the Message
// protobufs wagate sends. Pure functions over serialized protobufs, so the
// service never touches the protobuf schema.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "wa/client/messaging.h"

namespace wa::client {

struct Content {
  // text|image|video|document|audio|sticker|reaction|location|contact|unknown
  std::string type;
  // text; the emoji of a reaction; "geo:<lat>,<lng>" of a location; the
  // vCard of a contact; for unknown: "raw:<field number>" of the payload.
  std::string text;
  std::string caption;  // media caption; a location's name/address
  std::string mime_type;
  std::string file_name;
  int64_t size = 0;  // media: plaintext bytes
  // Reply: the quoted message id. Reaction: the message reacted to.
  std::optional<std::string> quoted_id;
  std::optional<MediaRef> media;  // the blob of a media message
  // Protocol-only payloads (sender-key distribution, history sync, app-state
  // keys, edits and revokes for now): not a user-visible message.
  bool skip = false;
};

// kInvalidArgument when the bytes are not a Message.
base::Result<Content> ParseContent(std::string_view message);

// A text message: `conversation`, or an extendedTextMessage with the quote's
// context when replying (`quoted_id` of a message by `quoted_sender` in `chat`).
struct Quote {
  std::string id;
  std::string sender;  // author JID of the quoted message (participant)
};
std::string BuildTextMessage(std::string_view text, const std::optional<Quote>& quote);

struct MediaMessageInput {
  std::string media_type;  // image|video|document|audio
  UploadedMedia uploaded;
  std::string mime_type;
  std::string caption;
  std::string file_name;       // documents
  std::string jpeg_thumbnail;  // may be empty
  uint32_t width = 0;
  uint32_t height = 0;
  int64_t media_key_timestamp = 0;  // seconds
};
// kInvalidArgument for an unknown media type.
base::Result<std::string> BuildMediaMessage(const MediaMessageInput& input);

}  // namespace wa::client
