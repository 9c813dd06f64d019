#include "wa/client/pairing.h"

#include <algorithm>

#include "wa/client/payload.h"
#include "wa/crypto/curve25519.h"
#include "wa/pair/adv.h"
#include "wa/pair/pair_code.h"
#include "wa/pair/qr.h"
#include "wa/proto/codec.h"
#include "wa/types/jid.h"

namespace wa::client {

std::optional<QrRotation::Entry> QrRotation::Next(int64_t now_ms) {
  if (next_ >= refs_.size()) return std::nullopt;
  int64_t lifetime = next_ == 0 ? first_ms_ : next_ms_;
  Entry entry{refs_[next_], now_ms + lifetime};
  ++next_;
  return entry;
}

int64_t QrRotation::WindowEndMs(int64_t now_ms) const {
  int64_t end = now_ms;
  for (size_t i = next_; i < refs_.size(); ++i) end += i == 0 ? first_ms_ : next_ms_;
  return end;
}

base::Result<std::string> BuildQrString(const Creds& creds, const std::string& ref) {
  WAGATE_ASSIGN_OR_RETURN(crypto::PublicKey noise,
                          crypto::PublicKey::FromRaw(creds.noise_key.public_key));
  WAGATE_ASSIGN_OR_RETURN(crypto::PublicKey identity,
                          crypto::PublicKey::FromRaw(creds.identity.public_key));
  return pair::BuildQr({.ref = ref,
                        .noise_key = noise,
                        .identity_key = identity,
                        .adv_secret = creds.adv_secret,
                        .platform_id = std::string(pair::kPlatformIdChrome)});
}

PairSuccessResult HandlePairSuccess(const iq::PairSuccess& success, const Creds& creds,
                                    base::Random& random) {
  auto fail = [&](base::Status status, int code, std::string_view text) {
    PairSuccessResult result;
    result.error = PairSuccessError{status.WithContext("pair-success"),
                                    iq::BuildErrorReply(success.id, code, text)};
    return result;
  };
  base::Result<crypto::KeyPair> identity = crypto::KeyPair::FromPrivate(creds.identity.private_key);
  if (!identity.ok()) return fail(identity.status(), 500, "internal-error");
  base::Result<pair::CompanionPairing> pairing =
      pair::ProcessDeviceIdentityHmac(success.device_identity, creds.adv_secret, *identity, random);
  if (!pairing.ok()) {
    const base::Status& status = pairing.status();
    if (status.code() == base::Code::kUnauthenticated) {
      bool hmac = status.message().find("hmac") != std::string::npos;
      return fail(status, 401, hmac ? "hmac-mismatch" : "signature-mismatch");
    }
    return fail(status, 500, "internal-error");
  }
  base::Result<std::string> account = proto::Serialize(pairing->account);
  if (!account.ok()) return fail(account.status(), 500, "internal-error");

  PairSuccessOutcome out;
  out.me.jid = success.jid.ToString();
  out.me.lid = success.lid ? success.lid->ToString() : "";
  out.me.name = success.business_name;
  out.creds = creds;
  out.creds.me = out.me;
  out.creds.account = std::move(*account);
  out.creds.key_index = pairing->identity.key_index;
  out.creds.platform = success.platform;
  out.creds.pairing_code.clear();
  out.creds.registered = true;
  out.reply =
      iq::BuildPairDeviceSign(success.id, pairing->identity.key_index, pairing->reply_identity);
  PairSuccessResult result;
  result.ok = std::move(out);
  return result;
}

base::Result<PairingCodeStart> StartPairingCode(const Creds& creds, const std::string& phone,
                                                base::Random& random) {
  if (phone.size() < 7 || phone.size() > 15 ||
      !std::all_of(phone.begin(), phone.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return base::InvalidArgument("pairing code: phone must be 7..15 digits");
  }
  WAGATE_ASSIGN_OR_RETURN(crypto::PublicKey ephemeral,
                          crypto::PublicKey::FromRaw(creds.pairing_ephemeral.public_key));
  PairingCodeStart out;
  out.code = pair::GeneratePairingCode(random);
  WAGATE_ASSIGN_OR_RETURN(std::string wrapped, pair::WrapEphemeralKey(out.code, ephemeral, random));
  Jid jid(phone, std::string(kUserServer));
  out.hello = iq::BuildCompanionHello(
      {.phone = jid,
       .wrapped_ephemeral = std::move(wrapped),
       .noise_public = creds.noise_key.public_key,
       .platform_id = std::string(pair::kPlatformIdChrome),
       .platform_display = std::string(kBrowserName) + " (" + kBrowserOs + ")"});
  out.creds = creds;
  out.creds.pairing_code = out.code;
  out.creds.me = Me{.jid = jid.ToString(), .lid = "", .name = ""};
  return out;
}

base::Result<PairingCodeFinish> HandlePrimaryHello(const iq::PrimaryHello& hello,
                                                   const Creds& creds, base::Random& random) {
  if (creds.pairing_code.empty() || !creds.me) {
    return base::FailedPrecondition("primary_hello: no pairing code was requested");
  }
  WAGATE_ASSIGN_OR_RETURN(crypto::KeyPair ephemeral,
                          crypto::KeyPair::FromPrivate(creds.pairing_ephemeral.private_key));
  WAGATE_ASSIGN_OR_RETURN(crypto::KeyPair identity,
                          crypto::KeyPair::FromPrivate(creds.identity.private_key));
  WAGATE_ASSIGN_OR_RETURN(crypto::PublicKey primary,
                          crypto::PublicKey::FromRaw(hello.primary_identity));
  WAGATE_ASSIGN_OR_RETURN(
      pair::CompanionFinish finish,
      pair::BuildCompanionFinish({.code = creds.pairing_code,
                                  .pairing_ephemeral = ephemeral,
                                  .identity = identity,
                                  .wrapped_primary_ephemeral = hello.wrapped_primary_ephemeral,
                                  .primary_identity = primary},
                                 random));
  WAGATE_ASSIGN_OR_RETURN(Jid phone, Jid::Parse(creds.me->jid));
  PairingCodeFinish out;
  out.creds = creds;
  out.creds.adv_secret = finish.adv_secret;
  out.finish = iq::BuildCompanionFinish({.phone = phone.ToNonAd(),
                                         .wrapped_key_bundle = std::move(finish.wrapped_key_bundle),
                                         .identity_public = creds.identity.public_key,
                                         .ref = hello.ref});
  return out;
}

}  // namespace wa::client
