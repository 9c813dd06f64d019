// Constant-time comparison and wiping of secrets.
//
// ConstantTimeEqual compares MACs, tags and keys without leaking, through
// timing, how many leading bytes matched (CRYPTO_memcmp). The lengths are
// treated as public: different lengths return false at once.
// Wipe overwrites memory in a way the optimiser cannot drop (OPENSSL_cleanse);
// classes holding key material call it from their destructors.
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wa::crypto {

bool ConstantTimeEqual(std::string_view a, std::string_view b);

void Wipe(void* data, size_t size);
// Wipes the bytes of `s` (its whole capacity is not reachable portably; the
// current contents are what matter) and clears it.
void Wipe(std::string& s);

}  // namespace wa::crypto
