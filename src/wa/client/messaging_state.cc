#include <algorithm>
#include <utility>

#include "wa/client/messaging.h"

namespace wa::client {

boost::asio::awaitable<base::Status> MessageSink::OnMessages(
    const std::vector<IncomingMessage>& messages,
    const std::function<base::Status()>& commit_signal_state) {
  for (const IncomingMessage& message : messages) {
    base::Status stored = co_await OnMessage(message);
    if (!stored.ok()) co_return stored;
  }
  (void)commit_signal_state;  // left to the client, which commits after
  co_return base::Status::Ok();
}

boost::asio::awaitable<void> MessageSink::OnReceipts(const std::vector<ReceiptEvent>& receipts) {
  for (const ReceiptEvent& receipt : receipts) co_await OnReceipt(receipt);
}

std::optional<MessagingState::Devices> MessagingState::GetDevices(const std::string& user) const {
  std::lock_guard lock(mu_);
  auto it = devices_.find(user);
  if (it == devices_.end()) return std::nullopt;
  if (clock_.NowMs() - it->second.fetched_ms > kDeviceTtlMs) return std::nullopt;
  return it->second;
}

void MessagingState::PutDevices(const std::string& user, Devices devices) {
  std::lock_guard lock(mu_);
  if (devices.fetched_ms == 0) devices.fetched_ms = clock_.NowMs();
  devices_[user] = std::move(devices);
  if (devices_.size() <= kMaxDeviceUsers) return;
  // Drop the stalest entry (expired ones first by construction: oldest fetch).
  auto oldest = std::min_element(
      devices_.begin(), devices_.end(),
      [](const auto& a, const auto& b) { return a.second.fetched_ms < b.second.fetched_ms; });
  devices_.erase(oldest);
}

void MessagingState::InvalidateDevices(const std::string& user) {
  std::lock_guard lock(mu_);
  devices_.erase(user);
}

std::optional<MessagingState::GroupInfo> MessagingState::GetGroup(const std::string& group) const {
  std::lock_guard lock(mu_);
  auto it = groups_.find(group);
  if (it == groups_.end()) return std::nullopt;
  if (clock_.NowMs() - it->second.fetched_ms > kGroupTtlMs) return std::nullopt;
  return it->second;
}

void MessagingState::PutGroup(const std::string& group, GroupInfo info, uint64_t epoch) {
  std::lock_guard lock(mu_);
  if (GroupChangedSinceLocked(group, epoch)) return;  // a change came in while it was asked for
  if (info.fetched_ms == 0) info.fetched_ms = clock_.NowMs();
  groups_[group] = std::move(info);
  if (groups_.size() <= kMaxGroups) return;
  auto oldest = std::min_element(groups_.begin(), groups_.end(), [](const auto& a, const auto& b) {
    return a.second.fetched_ms < b.second.fetched_ms;
  });
  groups_.erase(oldest);
}

void MessagingState::InvalidateGroup(const std::string& group) {
  std::lock_guard lock(mu_);
  groups_.erase(group);
  group_changed_at_[group] = ++group_epoch_;
  if (group_changed_at_.size() <= kMaxGroups) return;
  auto oldest = std::min_element(group_changed_at_.begin(), group_changed_at_.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
  forgotten_changes_up_to_ = std::max(forgotten_changes_up_to_, oldest->second);
  group_changed_at_.erase(oldest);
}

uint64_t MessagingState::GroupEpoch() const {
  std::lock_guard lock(mu_);
  return group_epoch_;
}

bool MessagingState::GroupChangedSince(const std::string& group, uint64_t epoch) const {
  std::lock_guard lock(mu_);
  return GroupChangedSinceLocked(group, epoch);
}

bool MessagingState::GroupChangedSinceLocked(const std::string& group, uint64_t epoch) const {
  auto it = group_changed_at_.find(group);
  if (it != group_changed_at_.end()) return it->second > epoch;
  return forgotten_changes_up_to_ > epoch;
}

void MessagingState::PutLidMapping(const std::string& pn_user, const std::string& lid_user) {
  if (pn_user.empty() || lid_user.empty()) return;
  std::lock_guard lock(mu_);
  if (!InsertLidMappingLocked(pn_user, lid_user)) return;  // known: nothing to save
  unsaved_lid_.emplace_back(pn_user, lid_user);
  // Bounded: a store that keeps failing must not grow this without end.
  if (unsaved_lid_.size() > static_cast<size_t>(kMaxLidMappings)) {
    unsaved_lid_.erase(unsaved_lid_.begin());
  }
}

bool MessagingState::InsertLidMappingLocked(const std::string& pn_user,
                                            const std::string& lid_user) {
  if (auto it = pn_to_lid_.find(pn_user); it != pn_to_lid_.end()) {
    if (it->second == lid_user) return false;
    lid_to_pn_.erase(it->second);
  }
  if (auto it = lid_to_pn_.find(lid_user); it != lid_to_pn_.end() && it->second != pn_user) {
    pn_to_lid_.erase(it->second);
  }
  pn_to_lid_[pn_user] = lid_user;
  lid_to_pn_[lid_user] = pn_user;
  // Bounded: mappings are cheap but not unlimited.
  while (pn_to_lid_.size() > static_cast<size_t>(kMaxLidMappings)) {
    auto first = pn_to_lid_.begin();
    lid_to_pn_.erase(first->second);
    pn_to_lid_.erase(first);
  }
  return true;
}

std::vector<std::pair<std::string, std::string>> MessagingState::TakeUnsavedLidMappings() {
  std::lock_guard lock(mu_);
  return std::exchange(unsaved_lid_, {});
}

void MessagingState::ReturnUnsavedLidMappings(
    std::vector<std::pair<std::string, std::string>> pairs) {
  if (pairs.empty()) return;
  std::lock_guard lock(mu_);
  // Older than anything noted since: in front.
  pairs.insert(pairs.end(), unsaved_lid_.begin(), unsaved_lid_.end());
  unsaved_lid_ = std::move(pairs);
  if (unsaved_lid_.size() > static_cast<size_t>(kMaxLidMappings)) {
    unsaved_lid_.erase(unsaved_lid_.begin(),
                       unsaved_lid_.end() - static_cast<std::ptrdiff_t>(kMaxLidMappings));
  }
}

void MessagingState::LoadLidMappings(const std::map<std::string, std::string>& pn_to_lid) {
  std::lock_guard lock(mu_);
  // From the store: nothing to save again.
  for (const auto& [pn, lid] : pn_to_lid) {
    if (!pn.empty() && !lid.empty()) InsertLidMappingLocked(pn, lid);
  }
}

std::optional<std::string> MessagingState::LidForPn(const std::string& pn_user) const {
  std::lock_guard lock(mu_);
  auto it = pn_to_lid_.find(pn_user);
  if (it == pn_to_lid_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> MessagingState::PnForLid(const std::string& lid_user) const {
  std::lock_guard lock(mu_);
  auto it = lid_to_pn_.find(lid_user);
  if (it == lid_to_pn_.end()) return std::nullopt;
  return it->second;
}

void MessagingState::RememberSent(const std::string& id, Sent sent) {
  std::lock_guard lock(mu_);
  if (sent.sent_ms == 0) sent.sent_ms = clock_.NowMs();
  auto [it, inserted] = sent_.insert_or_assign(id, std::move(sent));
  (void)it;
  if (inserted) sent_order_.push_back(id);
  if (sent_order_.size() > kMaxSent) {
    // Drop the oldest half-percent in one go so the vector erase stays rare.
    size_t drop = sent_order_.size() - kMaxSent + kMaxSent / 200;
    for (size_t i = 0; i < drop; ++i) sent_.erase(sent_order_[i]);
    sent_order_.erase(sent_order_.begin(), sent_order_.begin() + static_cast<std::ptrdiff_t>(drop));
  }
}

std::optional<MessagingState::Sent> MessagingState::FindSent(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = sent_.find(id);
  if (it == sent_.end()) return std::nullopt;
  return it->second;
}

}  // namespace wa::client
