// wa-tool keys gen: a fresh set of the keys a linked device holds (what
// Baileys' initAuthCreds makes), printed as JSON with hex bytes, for tests and
// for debugging a pairing by hand.
#include <charconv>
#include <cstdio>
#include <string>

#include <boost/json.hpp>

#include "base/encoding.h"
#include "base/random.h"
#include "command.h"
#include "wa/signal/keygen.h"

namespace tool {
namespace {

namespace json = boost::json;

constexpr uint32_t kMaxPreKeysPrinted = 1000;
constexpr uint32_t kSignedPreKeyId = 1;
constexpr size_t kAdvSecretSize = 32;

json::object KeyPairJson(const wa::signal::KeyPairBytes& pair) {
  return {{"public", base::HexEncode(pair.public_key)},
          {"private", base::HexEncode(pair.private_key)}};
}

int KeysGen(std::span<const std::string_view> args);

const Command kKeysGen{"keys", "gen", "[--prekeys N]",
                       "new noise, identity, signed pre-key, registration id and adv secret (JSON)",
                       &KeysGen};

int KeysGen(std::span<const std::string_view> args) {
  uint32_t prekeys = 0;
  if (args.size() == 2 && args[0] == "--prekeys") {
    auto [end, ec] = std::from_chars(args[1].data(), args[1].data() + args[1].size(), prekeys);
    if (ec != std::errc() || end != args[1].data() + args[1].size() ||
        prekeys > kMaxPreKeysPrinted) {
      return Fail(base::InvalidArgument("--prekeys must be an integer from 0 to " +
                                        std::to_string(kMaxPreKeysPrinted)));
    }
  } else if (!args.empty()) {
    return Usage(kKeysGen);
  }
  base::Random& random = base::SecureRandom::Instance();
  auto noise = wa::signal::GenerateKeyPair(random);
  if (!noise.ok()) return Fail(noise.status());
  auto identity = wa::signal::GenerateIdentityKeyPair(random);
  if (!identity.ok()) return Fail(identity.status());
  auto signed_pre_key = wa::signal::GenerateSignedPreKey(*identity, kSignedPreKeyId, random);
  if (!signed_pre_key.ok()) return Fail(signed_pre_key.status());

  json::object out;
  out["noiseKey"] = KeyPairJson(*noise);
  out["signedIdentityKey"] = KeyPairJson(*identity);
  json::object spk = KeyPairJson(signed_pre_key->key_pair);
  spk["keyId"] = signed_pre_key->id;
  spk["signature"] = base::HexEncode(signed_pre_key->signature);
  out["signedPreKey"] = std::move(spk);
  out["registrationId"] = wa::signal::GenerateRegistrationId(random);
  out["advSecretKey"] = base::HexEncode(random.Bytes(kAdvSecretSize));
  if (prekeys > 0) {
    auto keys = wa::signal::GeneratePreKeys(1, prekeys, random);
    if (!keys.ok()) return Fail(keys.status());
    json::array list;
    for (const auto& k : *keys) {
      json::object o = KeyPairJson(k.key_pair);
      o["keyId"] = k.id;
      list.push_back(std::move(o));
    }
    out["preKeys"] = std::move(list);
  }
  std::printf("%s\n", json::serialize(out).c_str());
  return kExitOk;
}

const CommandRegistrar kRegistrar{kKeysGen};

}  // namespace
}  // namespace tool
