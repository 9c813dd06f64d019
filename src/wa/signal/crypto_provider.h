// The crypto provider libsignal-protocol-c needs, on OpenSSL 3:
//   random        ← the injected base::Random (the only randomness libsignal
//                   sees: key pairs, sender keys, signature nonces);
//   HMAC-SHA256   ← OpenSSL EVP_MAC (init/update/final/cleanup);
//   SHA-512       ← an OpenSSL EVP digest (init/update/final/cleanup);
//   AES-CBC PKCS#5 and AES-CTR (SG_CIPHER_AES_CBC_PKCS5 /
//   SG_CIPHER_AES_CTR_NOPADDING) with 128/192/256-bit keys.
// libsignal uses AES-256-CBC and HMAC-SHA256 for every protocol-v3 message
// [whatsapp-protocol.md §8.2, §8.10]; CTR and SHA-512 are for legacy paths
// and fingerprints but are complete anyway.
//
// Callbacks return 0 or a negative SG_ERR_* code and never throw.
// Ownership: `random` is borrowed and must outlive every context using the
// provider. Thread safety: the callbacks are as thread-safe as `random`
// (wa::signal::Context serialises its calls under one lock).
#pragma once

#include <signal/signal_protocol.h>

#include "base/random.h"

namespace wa::signal {

signal_crypto_provider MakeCryptoProvider(base::Random* random);

}  // namespace wa::signal
