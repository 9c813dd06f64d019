// Micro-benchmarks of wa/crypto and wa/media (Google Benchmark).
//
//   wa_crypto_bench --benchmark_format=json            # numbers as JSON
//
// Inputs are deterministic and identical to bench/baileys_crypto_bench.mjs:
// plaintext byte i = (i * 2654435761) >> 13 & 0xff (32-bit), media key 00..1f,
// GCM key 32 × 0x42 with a Noise counter IV, XEdDSA over a 100-byte message.
// Media throughput counts plaintext bytes (encrypt) or encrypted bytes
// (decrypt); both include the MAC and both SHA-256 hashes.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "base/random.h"
#include "wa/crypto/aes_gcm.h"
#include "wa/crypto/curve25519.h"
#include "wa/crypto/xeddsa.h"
#include "wa/media/media_cipher.h"
#include "wa/media/media_keys.h"

namespace {

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) {
    s[i] = static_cast<char>((static_cast<uint32_t>(i) * 2654435761u) >> 13);
  }
  return s;
}

wa::media::MediaKeys Keys() {
  std::string key;
  for (int i = 0; i < 32; ++i) key += static_cast<char>(i);
  return *wa::media::MediaKeys::Derive(key, wa::media::MediaType::kImage);
}

void BM_MediaEncrypt(benchmark::State& state) {
  const std::string plain = Pattern(static_cast<size_t>(state.range(0)));
  const auto keys = Keys();
  for (auto _ : state) {
    auto enc = wa::media::EncryptMedia(keys, plain);
    if (!enc.ok()) state.SkipWithError(enc.status().ToString().c_str());
    benchmark::DoNotOptimize(enc);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

// Streaming encryptor fed 64 KiB chunks, output reused (what an upload does).
void BM_MediaEncryptStream(benchmark::State& state) {
  const std::string plain = Pattern(static_cast<size_t>(state.range(0)));
  const auto keys = Keys();
  std::string out;
  out.reserve(256 * 1024);
  for (auto _ : state) {
    auto enc = wa::media::MediaEncryptor::Create(keys);
    for (size_t at = 0; at < plain.size(); at += 64 * 1024) {
      out.clear();
      if (!enc->Update(std::string_view(plain).substr(at, 64 * 1024), &out).ok()) {
        state.SkipWithError("update");
      }
    }
    out.clear();
    auto digest = enc->Finish(&out);
    benchmark::DoNotOptimize(digest);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

void BM_MediaDecrypt(benchmark::State& state) {
  const auto keys = Keys();
  const auto enc = *wa::media::EncryptMedia(keys, Pattern(static_cast<size_t>(state.range(0))));
  const wa::media::MediaExpectations expect{.file_sha256 = enc.digest.file_sha256,
                                            .file_enc_sha256 = enc.digest.file_enc_sha256,
                                            .file_length = enc.digest.file_length};
  for (auto _ : state) {
    auto plain = wa::media::DecryptMedia(keys, enc.data, expect);
    if (!plain.ok()) state.SkipWithError(plain.status().ToString().c_str());
    benchmark::DoNotOptimize(plain);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(enc.data.size()));
}

void BM_MediaDecryptStream(benchmark::State& state) {
  const auto keys = Keys();
  const auto enc = *wa::media::EncryptMedia(keys, Pattern(static_cast<size_t>(state.range(0))));
  std::string out;
  out.reserve(256 * 1024);
  for (auto _ : state) {
    auto dec =
        wa::media::MediaDecryptor::Create(keys, {.file_sha256 = enc.digest.file_sha256,
                                                 .file_enc_sha256 = enc.digest.file_enc_sha256,
                                                 .file_length = enc.digest.file_length});
    for (size_t at = 0; at < enc.data.size(); at += 64 * 1024) {
      out.clear();
      if (!dec->Update(std::string_view(enc.data).substr(at, 64 * 1024), &out).ok()) {
        state.SkipWithError("update");
      }
    }
    out.clear();
    auto digest = dec->Finish(&out);
    if (!digest.ok()) state.SkipWithError(digest.status().ToString().c_str());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(enc.data.size()));
}

// One Noise transport frame: the key schedule is kept across frames.
void BM_GcmSeal1KiB(benchmark::State& state) {
  auto gcm = wa::crypto::AesGcm::Create(std::string(32, '\x42')).value();
  const std::string frame = Pattern(1024);
  std::string iv(12, '\0');
  uint32_t counter = 0;
  for (auto _ : state) {
    iv[8] = static_cast<char>(counter >> 24);
    iv[9] = static_cast<char>(counter >> 16);
    iv[10] = static_cast<char>(counter >> 8);
    iv[11] = static_cast<char>(counter);
    ++counter;
    auto sealed = gcm.Seal(iv, frame, "");
    benchmark::DoNotOptimize(sealed);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 1024);
}

void BM_GcmOpen1KiB(benchmark::State& state) {
  auto gcm = wa::crypto::AesGcm::Create(std::string(32, '\x42')).value();
  const std::string iv(12, '\0');
  const std::string sealed = *gcm.Seal(iv, Pattern(1024), "");
  for (auto _ : state) {
    auto opened = gcm.Open(iv, sealed, "");
    if (!opened.ok()) state.SkipWithError("open");
    benchmark::DoNotOptimize(opened);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 1024);
}

// The one-shot form (new context per frame), for comparison.
void BM_GcmEncryptOneShot1KiB(benchmark::State& state) {
  const std::string key(32, '\x42'), iv(12, '\0'), frame = Pattern(1024);
  for (auto _ : state) {
    auto sealed = wa::crypto::AesGcmEncrypt(key, iv, frame, "");
    benchmark::DoNotOptimize(sealed);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 1024);
}

void BM_XeddsaSign(benchmark::State& state) {
  base::SeededRandom random(1);
  const auto pair = *wa::crypto::KeyPair::Generate(random);
  const std::string message = Pattern(100);
  for (auto _ : state) {
    auto sig = wa::crypto::XeddsaSign(pair.private_key, message, random);
    benchmark::DoNotOptimize(sig);
  }
}

void BM_XeddsaVerify(benchmark::State& state) {
  base::SeededRandom random(1);
  const auto pair = *wa::crypto::KeyPair::Generate(random);
  const std::string message = Pattern(100);
  const std::string sig = *wa::crypto::XeddsaSign(pair.private_key, message, random);
  for (auto _ : state) {
    auto ok = wa::crypto::XeddsaVerify(pair.public_key, message, sig);
    if (!ok.ok()) state.SkipWithError("verify");
    benchmark::DoNotOptimize(ok);
  }
}

void BM_X25519SharedSecret(benchmark::State& state) {
  base::SeededRandom random(2);
  const auto a = *wa::crypto::KeyPair::Generate(random);
  const auto b = *wa::crypto::KeyPair::Generate(random);
  for (auto _ : state) {
    auto secret = wa::crypto::SharedSecret(a.private_key, b.public_key);
    benchmark::DoNotOptimize(secret);
  }
}

constexpr int64_t kMiB = 1 << 20;

BENCHMARK(BM_MediaEncrypt)->Arg(kMiB)->Arg(16 * kMiB)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MediaEncryptStream)->Arg(kMiB)->Arg(16 * kMiB)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MediaDecrypt)->Arg(kMiB)->Arg(16 * kMiB)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MediaDecryptStream)->Arg(kMiB)->Arg(16 * kMiB)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GcmSeal1KiB);
BENCHMARK(BM_GcmOpen1KiB);
BENCHMARK(BM_GcmEncryptOneShot1KiB);
BENCHMARK(BM_XeddsaSign)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_XeddsaVerify)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_X25519SharedSecret)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
