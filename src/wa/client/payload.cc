#include "wa/client/payload.h"

#include <charconv>

#include "base/encoding.h"
#include "wa/iq/iq.h"
#include "wa/proto/codec.h"
#include "wa/proto/wa_client_payload.pb.h"
#include "wa/types/jid.h"

namespace wa::client {

namespace {

using proto::ClientPayload;

// MD5 of kWebVersion, as the build hash of the registration (§3.2 [RUN]);
// a constant so that wa/crypto needs no MD5 just for this.
constexpr char kBuildHashHex[] = "f6f65c0607a1cdffd8752b051fc95edf";

void FillCommon(ClientPayload& payload, std::string_view push_name) {
  ClientPayload::UserAgent* agent = payload.mutable_user_agent();
  agent->set_platform(ClientPayload::UserAgent::WEB);
  ClientPayload::UserAgent::AppVersion* version = agent->mutable_app_version();
  version->set_primary(2);
  version->set_secondary(3000);
  version->set_tertiary(1043857760);
  agent->set_mcc("000");
  agent->set_mnc("000");
  agent->set_os_version("0.1");
  agent->set_device("Desktop");
  agent->set_os_build_number("0.1");
  agent->set_release_channel(ClientPayload::UserAgent::RELEASE);
  agent->set_locale_language_iso6391("en");
  agent->set_locale_country_iso31661_alpha2("US");
  payload.mutable_web_info()->set_web_sub_platform(ClientPayload::WebInfo::WEB_BROWSER);
  if (!push_name.empty()) payload.set_push_name(std::string(push_name));
  payload.set_connect_type(ClientPayload::WIFI_UNKNOWN);
  payload.set_connect_reason(ClientPayload::USER_ACTIVATED);
}

base::Result<std::string> DeviceProps() {
  proto::DeviceProps props;
  props.set_os(kBrowserOs);
  props.mutable_version()->set_primary(10);
  props.mutable_version()->set_secondary(15);
  props.mutable_version()->set_tertiary(7);
  props.set_platform_type(proto::DeviceProps::CHROME);
  props.set_require_full_sync(true);
  proto::DeviceProps::HistorySyncConfig* history = props.mutable_history_sync_config();
  history->set_storage_quota_mb(10240);
  history->set_inline_initial_payload_in_e2ee_msg(true);
  history->set_support_call_log_history(false);
  history->set_support_bot_user_agent_chat_history(true);
  history->set_support_cag_reactions_and_polls(true);
  history->set_support_biz_hosted_msg(true);
  history->set_support_recent_sync_chunk_message_count_tuning(true);
  history->set_support_hosted_group_msg(true);
  history->set_support_fbid_bot_chat_history(true);
  history->set_support_message_association(true);
  history->set_support_group_history(false);
  return proto::Serialize(props);
}

}  // namespace

base::Result<std::string> BuildRegistrationPayload(const Creds& creds, std::string_view push_name) {
  ClientPayload payload;
  FillCommon(payload, push_name);
  payload.set_passive(false);
  payload.set_pull(false);
  ClientPayload::DevicePairingRegistrationData* reg = payload.mutable_device_pairing_data();
  reg->set_e_regid(iq::EncodeBigEndian(creds.registration_id, 4));
  reg->set_e_keytype(std::string(1, '\x05'));
  reg->set_e_ident(creds.identity.public_key);
  reg->set_e_skey_id(iq::EncodeBigEndian(creds.signed_prekey.id, 3));
  reg->set_e_skey_val(creds.signed_prekey.key_pair.public_key);
  reg->set_e_skey_sig(creds.signed_prekey.signature);
  reg->set_build_hash(base::HexDecode(kBuildHashHex).value());
  WAGATE_ASSIGN_OR_RETURN(std::string props, DeviceProps());
  reg->set_device_props(std::move(props));
  return proto::Serialize(payload);
}

base::Result<std::string> BuildLoginPayload(const Creds& creds, std::string_view push_name) {
  if (!creds.me) return base::FailedPrecondition("login payload: creds have no me");
  base::Result<Jid> jid = Jid::Parse(creds.me->jid);
  if (!jid.ok()) return base::FailedPrecondition("login payload: " + jid.status().message());
  uint64_t username = 0;
  const std::string& user = jid->user();
  auto [end, ec] = std::from_chars(user.data(), user.data() + user.size(), username);
  if (user.empty() || ec != std::errc() || end != user.data() + user.size()) {
    return base::FailedPrecondition("login payload: me.jid user is not a phone number");
  }
  ClientPayload payload;
  FillCommon(payload, push_name);
  payload.set_username(username);
  payload.set_device(jid->device());
  payload.set_passive(true);
  payload.set_pull(true);
  payload.set_lid_db_migrated(false);
  return proto::Serialize(payload);
}

}  // namespace wa::client
