#include "wa/signal/address.h"

#include <charconv>

namespace wa::signal {

Address Address::ForUser(std::string_view user, uint8_t agent, uint32_t device) {
  Address address;
  address.name = std::string(user);
  if (agent != 0) address.name += "_" + std::to_string(agent);
  address.device = device;
  return address;
}

base::Result<Address> Address::Parse(std::string_view text) {
  size_t dot = text.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == text.size()) {
    return base::InvalidArgument("signal address: want name.device, got '" + std::string(text) +
                                 "'");
  }
  std::string_view device_text = text.substr(dot + 1);
  uint32_t device = 0;
  auto [end, ec] =
      std::from_chars(device_text.data(), device_text.data() + device_text.size(), device);
  if (ec != std::errc() || end != device_text.data() + device_text.size()) {
    return base::InvalidArgument("signal address: bad device in '" + std::string(text) + "'");
  }
  return Address{std::string(text.substr(0, dot)), device};
}

std::string Address::ToString() const { return name + "." + std::to_string(device); }

std::string SenderKeyName::ToString() const {
  return group_id + "::" + sender.name + "::" + std::to_string(sender.device);
}

}  // namespace wa::signal
