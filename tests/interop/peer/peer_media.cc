// wa_peer ops for wa/media (tests/interop/media.test.mjs). Bytes as hex;
// `type` is a Baileys media type name ("image", "ptt", ...).
//   media.keys    {media_key, type}                         → {iv, cipher_key, mac_key, ref_key}
//   media.encrypt {media_key, type, plaintext, chunk?}       → {hex, digest}
//   media.decrypt {media_key, type, encrypted, chunk?, expect?} → {hex, digest}
//   media.encrypt_file {media_key, type, in, out, chunk?}    → {digest}
//   media.decrypt_file {media_key, type, in, out, chunk?, expect?} → {digest}
// digest = {file_sha256, file_enc_sha256, file_length}; expect = the same keys,
// each optional. decrypt_file shows the intended use of MediaDecryptor: the
// unverified output goes to "<out>.part", which is renamed to <out> only after
// Finish succeeded and deleted otherwise.
#include <boost/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "base/encoding.h"
#include "peer.h"
#include "wa/media/media_cipher.h"
#include "wa/media/media_keys.h"

namespace interop {
namespace {

namespace json = boost::json;
using namespace wa::media;

constexpr size_t kDefaultChunk = 64 * 1024;

size_t ChunkArg(const json::object& args) {
  auto it = args.find("chunk");
  if (it != args.end() && it->value().is_int64() && it->value().as_int64() > 0) {
    return static_cast<size_t>(it->value().as_int64());
  }
  return kDefaultChunk;
}

base::Result<MediaKeys> KeysArg(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(std::string media_key, HexArg(args, "media_key"));
  WAGATE_ASSIGN_OR_RETURN(std::string type_name, StringArg(args, "type"));
  WAGATE_ASSIGN_OR_RETURN(MediaType type, ParseMediaType(type_name));
  return MediaKeys::Derive(media_key, type);
}

base::Result<MediaExpectations> ExpectArg(const json::object& args) {
  MediaExpectations expect;
  auto it = args.find("expect");
  if (it == args.end() || !it->value().is_object()) return expect;
  const json::object& e = it->value().as_object();
  if (e.contains("file_sha256")) {
    WAGATE_ASSIGN_OR_RETURN(expect.file_sha256, HexArg(e, "file_sha256"));
  }
  if (e.contains("file_enc_sha256")) {
    WAGATE_ASSIGN_OR_RETURN(expect.file_enc_sha256, HexArg(e, "file_enc_sha256"));
  }
  if (auto len = e.find("file_length"); len != e.end() && len->value().is_int64()) {
    expect.file_length = static_cast<uint64_t>(len->value().as_int64());
  }
  return expect;
}

json::object DigestJson(const MediaDigest& d) {
  json::object out;
  out["file_sha256"] = base::HexEncode(d.file_sha256);
  out["file_enc_sha256"] = base::HexEncode(d.file_enc_sha256);
  out["file_length"] = d.file_length;
  return out;
}

base::Result<json::value> KeysOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(MediaKeys keys, KeysArg(args));
  json::object out;
  out["iv"] = base::HexEncode(keys.iv());
  out["cipher_key"] = base::HexEncode(keys.cipher_key());
  out["mac_key"] = base::HexEncode(keys.mac_key());
  out["ref_key"] = base::HexEncode(keys.ref_key());
  return json::value(std::move(out));
}

base::Result<json::value> EncryptOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(MediaKeys keys, KeysArg(args));
  WAGATE_ASSIGN_OR_RETURN(std::string plaintext, HexArg(args, "plaintext"));
  const size_t chunk = ChunkArg(args);
  WAGATE_ASSIGN_OR_RETURN(MediaEncryptor enc, MediaEncryptor::Create(keys));
  std::string out;
  for (size_t at = 0; at < plaintext.size(); at += chunk) {
    WAGATE_RETURN_IF_ERROR(enc.Update(std::string_view(plaintext).substr(at, chunk), &out));
  }
  WAGATE_ASSIGN_OR_RETURN(MediaDigest digest, enc.Finish(&out));
  json::object result;
  result["hex"] = base::HexEncode(out);
  result["digest"] = DigestJson(digest);
  return json::value(std::move(result));
}

base::Result<json::value> DecryptOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(MediaKeys keys, KeysArg(args));
  WAGATE_ASSIGN_OR_RETURN(std::string encrypted, HexArg(args, "encrypted"));
  WAGATE_ASSIGN_OR_RETURN(MediaExpectations expect, ExpectArg(args));
  const size_t chunk = ChunkArg(args);
  WAGATE_ASSIGN_OR_RETURN(MediaDecryptor dec, MediaDecryptor::Create(keys, std::move(expect)));
  std::string out;
  for (size_t at = 0; at < encrypted.size(); at += chunk) {
    WAGATE_RETURN_IF_ERROR(dec.Update(std::string_view(encrypted).substr(at, chunk), &out));
  }
  WAGATE_ASSIGN_OR_RETURN(MediaDigest digest, dec.Finish(&out));
  json::object result;
  result["hex"] = base::HexEncode(out);
  result["digest"] = DigestJson(digest);
  return json::value(std::move(result));
}

// Streams `in` through `step` in chunks, writing what comes out to `out`.
template <typename Step>
base::Status Pump(const std::string& in_path, std::ofstream& out, size_t chunk, Step step) {
  std::ifstream in(in_path, std::ios::binary);
  if (!in) return base::NotFound("cannot open " + in_path);
  std::string buffer(chunk, '\0');
  std::string produced;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = static_cast<size_t>(in.gcount());
    if (got == 0) break;
    produced.clear();
    WAGATE_RETURN_IF_ERROR(step(std::string_view(buffer).substr(0, got), &produced));
    out.write(produced.data(), static_cast<std::streamsize>(produced.size()));
  }
  if (in.bad()) return base::Internal("read error on " + in_path);
  return base::Status::Ok();
}

base::Result<json::value> EncryptFileOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(MediaKeys keys, KeysArg(args));
  WAGATE_ASSIGN_OR_RETURN(std::string in_path, StringArg(args, "in"));
  WAGATE_ASSIGN_OR_RETURN(std::string out_path, StringArg(args, "out"));
  WAGATE_ASSIGN_OR_RETURN(MediaEncryptor enc, MediaEncryptor::Create(keys));
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!out) return base::Internal("cannot create " + out_path);
  WAGATE_RETURN_IF_ERROR(
      Pump(in_path, out, ChunkArg(args),
           [&](std::string_view in, std::string* o) { return enc.Update(in, o); }));
  std::string last;
  WAGATE_ASSIGN_OR_RETURN(MediaDigest digest, enc.Finish(&last));
  out.write(last.data(), static_cast<std::streamsize>(last.size()));
  out.close();
  if (!out) return base::Internal("write error on " + out_path);
  json::object result;
  result["digest"] = DigestJson(digest);
  return json::value(std::move(result));
}

base::Result<json::value> DecryptFileOp(const json::object& args) {
  WAGATE_ASSIGN_OR_RETURN(MediaKeys keys, KeysArg(args));
  WAGATE_ASSIGN_OR_RETURN(std::string in_path, StringArg(args, "in"));
  WAGATE_ASSIGN_OR_RETURN(std::string out_path, StringArg(args, "out"));
  WAGATE_ASSIGN_OR_RETURN(MediaExpectations expect, ExpectArg(args));
  WAGATE_ASSIGN_OR_RETURN(MediaDecryptor dec, MediaDecryptor::Create(keys, std::move(expect)));
  const std::string part_path = out_path + ".part";
  auto result = [&]() -> base::Result<MediaDigest> {
    std::ofstream part(part_path, std::ios::binary | std::ios::trunc);
    if (!part) return base::Internal("cannot create " + part_path);
    WAGATE_RETURN_IF_ERROR(
        Pump(in_path, part, ChunkArg(args),
             [&](std::string_view in, std::string* o) { return dec.Update(in, o); }));
    std::string last;
    WAGATE_ASSIGN_OR_RETURN(MediaDigest digest, dec.Finish(&last));
    part.write(last.data(), static_cast<std::streamsize>(last.size()));
    part.close();
    if (!part) return base::Internal("write error on " + part_path);
    return digest;
  }();
  std::error_code ec;
  if (!result.ok()) {
    std::filesystem::remove(part_path, ec);  // never leave unverified bytes behind
    return result.status();
  }
  std::filesystem::rename(part_path, out_path, ec);
  if (ec) return base::Internal("rename " + part_path + ": " + ec.message());
  json::object out;
  out["digest"] = DigestJson(*result);
  return json::value(std::move(out));
}

PeerOps ops{
    {"media.keys", KeysOp},
    {"media.encrypt", EncryptOp},
    {"media.decrypt", DecryptOp},
    {"media.encrypt_file", EncryptFileOp},
    {"media.decrypt_file", DecryptFileOp},
};

}  // namespace
}  // namespace interop
