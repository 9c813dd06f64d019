#include "wa/client/content.h"

#include <google/protobuf/unknown_field_set.h>

#include <cstdio>

#include "wa/proto/codec.h"
#include "wa/proto/wa_message.pb.h"

namespace wa::client {
namespace {

using wa::proto::Message;

// Wrappers nest at most a few levels (ephemeral → view once → message); a
// deeper chain is malformed input, not something to recurse on forever.
constexpr int kMaxWrapDepth = 4;

std::optional<std::string> QuotedId(const wa::proto::ContextInfo& context) {
  if (context.has_stanza_id() && !context.stanza_id().empty()) return context.stanza_id();
  return std::nullopt;
}

template <typename M>
MediaRef RefOf(const M& m, std::string media_type) {
  MediaRef ref;
  ref.media_type = std::move(media_type);
  ref.url = m.url();
  ref.direct_path = m.direct_path();
  ref.media_key = m.media_key();
  ref.file_sha256 = m.file_sha256();
  ref.file_enc_sha256 = m.file_enc_sha256();
  ref.file_length = m.file_length();
  return ref;
}

template <typename M>
void FillMedia(Content& c, const M& m, std::string type) {
  c.type = type;
  c.mime_type = m.mimetype();
  c.size = static_cast<int64_t>(m.file_length());
  c.media = RefOf(m, std::move(type));
  if (m.has_context_info()) c.quoted_id = QuotedId(m.context_info());
}

std::string FormatCoordinate(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

void Parse(const Message& m, Content& c, int depth) {
  // Wrappers first: their inner message is the content.
  for (const auto* wrapper :
       {m.has_ephemeral_message() ? &m.ephemeral_message() : nullptr,
        m.has_view_once_message() ? &m.view_once_message() : nullptr,
        m.has_view_once_message_v2() ? &m.view_once_message_v2() : nullptr,
        m.has_view_once_message_v2_extension() ? &m.view_once_message_v2_extension() : nullptr,
        m.has_document_with_caption_message() ? &m.document_with_caption_message() : nullptr}) {
    if (wrapper != nullptr && wrapper->has_message() && depth < kMaxWrapDepth) {
      Parse(wrapper->message(), c, depth + 1);
      return;
    }
  }
  if (m.has_conversation()) {
    c.type = "text";
    c.text = m.conversation();
  } else if (m.has_extended_text_message()) {
    c.type = "text";
    c.text = m.extended_text_message().text();
    if (m.extended_text_message().has_context_info()) {
      c.quoted_id = QuotedId(m.extended_text_message().context_info());
    }
  } else if (m.has_image_message()) {
    FillMedia(c, m.image_message(), "image");
    c.caption = m.image_message().caption();
  } else if (m.has_video_message() || m.has_ptv_message()) {
    const auto& v = m.has_video_message() ? m.video_message() : m.ptv_message();
    FillMedia(c, v, "video");
    c.caption = v.caption();
  } else if (m.has_document_message()) {
    FillMedia(c, m.document_message(), "document");
    c.caption = m.document_message().caption();
    c.file_name = m.document_message().file_name();
  } else if (m.has_audio_message()) {
    FillMedia(c, m.audio_message(), "audio");
  } else if (m.has_sticker_message()) {
    FillMedia(c, m.sticker_message(), "sticker");
  } else if (m.has_reaction_message()) {
    c.type = "reaction";
    c.text = m.reaction_message().text();
    if (m.reaction_message().has_key() && m.reaction_message().key().has_id()) {
      c.quoted_id = m.reaction_message().key().id();
    }
  } else if (m.has_location_message()) {
    const auto& l = m.location_message();
    c.type = "location";
    c.text = "geo:" + FormatCoordinate(l.degrees_latitude()) + "," +
             FormatCoordinate(l.degrees_longitude());
    c.caption = !l.name().empty() ? l.name() : l.address();
  } else if (m.has_contact_message()) {
    c.type = "contact";
    c.text = m.contact_message().vcard();
    c.caption = m.contact_message().display_name();
  } else if (m.has_contacts_array_message()) {
    c.type = "contact";
    const auto& a = m.contacts_array_message();
    for (const auto& one : a.contacts()) c.text += one.vcard();
    c.caption = a.display_name();
  } else if (m.has_protocol_message() || m.has_sender_key_distribution_message() ||
             m.has_fast_ratchet_key_sender_key_distribution_message() ||
             m.has_device_sent_message() || m.has_edited_message()) {
    // Key distribution, history and app-state sync, edits and revokes:
    // nothing to show as a message of its own.
    c.skip = true;
  } else {
    c.type = "unknown";
    const auto& unknown = m.GetReflection()->GetUnknownFields(m);
    // A payload our schema subset does not know (polls, buttons, …) stays an
    // unknown field; its number is the raw type.
    if (unknown.field_count() > 0) c.text = "raw:" + std::to_string(unknown.field(0).number());
    if (c.text.empty()) c.skip = true;  // only metadata, no payload at all
  }
}

}  // namespace

base::Result<Content> ParseContent(std::string_view bytes) {
  Message m;
  if (base::Status s = wa::proto::Parse(bytes, &m); !s.ok()) {
    return s.WithContext("message content");
  }
  Content c;
  Parse(m, c, 0);
  return c;
}

std::string BuildTextMessage(std::string_view text, const std::optional<Quote>& quote) {
  Message m;
  if (!quote) {
    m.set_conversation(std::string(text));
  } else {
    auto* ext = m.mutable_extended_text_message();
    ext->set_text(std::string(text));
    auto* context = ext->mutable_context_info();
    context->set_stanza_id(quote->id);
    if (!quote->sender.empty()) context->set_participant(quote->sender);
  }
  return m.SerializeAsString();
}

base::Result<std::string> BuildMediaMessage(const MediaMessageInput& in) {
  Message m;
  const UploadedMedia& u = in.uploaded;
  auto fill = [&](auto* x) {
    x->set_url(u.url);
    x->set_direct_path(u.direct_path);
    x->set_media_key(u.media_key);
    x->set_file_sha256(u.file_sha256);
    x->set_file_enc_sha256(u.file_enc_sha256);
    x->set_file_length(u.file_length);
    x->set_mimetype(in.mime_type);
    if (in.media_key_timestamp != 0) x->set_media_key_timestamp(in.media_key_timestamp);
  };
  if (in.media_type == "image") {
    auto* x = m.mutable_image_message();
    fill(x);
    if (!in.caption.empty()) x->set_caption(in.caption);
    if (!in.jpeg_thumbnail.empty()) x->set_jpeg_thumbnail(in.jpeg_thumbnail);
    if (in.width != 0) x->set_width(in.width);
    if (in.height != 0) x->set_height(in.height);
  } else if (in.media_type == "video") {
    auto* x = m.mutable_video_message();
    fill(x);
    if (!in.caption.empty()) x->set_caption(in.caption);
    if (!in.jpeg_thumbnail.empty()) x->set_jpeg_thumbnail(in.jpeg_thumbnail);
    if (in.width != 0) x->set_width(in.width);
    if (in.height != 0) x->set_height(in.height);
  } else if (in.media_type == "document") {
    auto* x = m.mutable_document_message();
    fill(x);
    if (!in.caption.empty()) x->set_caption(in.caption);
    x->set_file_name(in.file_name.empty() ? "file" : in.file_name);
    x->set_title(in.file_name.empty() ? "file" : in.file_name);
    if (!in.jpeg_thumbnail.empty()) x->set_jpeg_thumbnail(in.jpeg_thumbnail);
  } else if (in.media_type == "audio") {
    auto* x = m.mutable_audio_message();
    fill(x);
  } else {
    return base::InvalidArgument("media message: unknown media type \"" + in.media_type + "\"");
  }
  return m.SerializeAsString();
}

}  // namespace wa::client
