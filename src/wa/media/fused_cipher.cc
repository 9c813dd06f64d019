#include "wa/media/fused_cipher.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "wa/crypto/secure_memory.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
// Only the functions that use these instructions are compiled for them; the
// rest of the program keeps the baseline ISA and checks the CPU first.
#define WAGATE_FUSED_TARGET __attribute__((target("aes,sha,ssse3,sse4.1")))
#define WAGATE_FUSED_INLINE __attribute__((target("aes,sha,ssse3,sse4.1"), always_inline)) inline
// The same code with AVX-512VL: the AES values may then live in xmm16-31
// (EVEX encodings), which SHA-NI cannot address, so the three SHA states and
// the CBC chain with its round keys fit in registers together.
#define WAGATE_FUSED_WIDE_TARGET __attribute__((target("aes,sha,ssse3,sse4.1,avx512f,avx512vl")))
#endif

namespace wa::media::internal {
namespace {

// FIPS 180-4 §5.3.3 and §4.2.2.
constexpr uint32_t kInitialState[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
alignas(16) constexpr uint32_t kRoundConstants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr size_t kBlock = 16;  // AES
constexpr size_t kChunk = 64;  // SHA-256
// Output grows by this much per fused call, so the zero-fill of resize() hits
// memory the loop is about to overwrite while it is still cached.
constexpr size_t kSliceChunks = 1024;

std::atomic<bool> g_enabled{true};
std::atomic<bool> g_wide_enabled{true};

#if defined(__x86_64__)

bool CpuHasFusedPath() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  const bool aes = c & bit_AES, ssse3 = c & bit_SSSE3, sse41 = c & bit_SSE4_1;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const bool sha = b & (1u << 29);
  return aes && ssse3 && sse41 && sha;
}

// AVX-512F and VL, and an OS that saves the opmask and all 32 vector registers.
bool CpuHasWideRegisters() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE)) return false;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  if (!(b & bit_AVX512F) || !(b & bit_AVX512VL)) return false;
  unsigned lo = 0, hi = 0;
  __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  constexpr unsigned kSseAvxOpmaskZmm = 0xE6;  // XCR0 bits 1, 2, 5, 6, 7
  return (lo & kSseAvxOpmaskZmm) == kSseAvxOpmaskZmm;
}

// SHA-NI keeps the eight working variables as two vectors, ABEF and CDGH.
struct ShaState {
  __m128i abef;
  __m128i cdgh;
};

WAGATE_FUSED_INLINE ShaState LoadState(const uint32_t h[8]) {
  __m128i abcd = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h));
  __m128i efgh = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + 4));
  abcd = _mm_shuffle_epi32(abcd, 0xB1);  // b a d c
  efgh = _mm_shuffle_epi32(efgh, 0x1B);  // h g f e
  return {_mm_alignr_epi8(abcd, efgh, 8), _mm_blend_epi16(efgh, abcd, 0xF0)};
}

WAGATE_FUSED_INLINE void StoreState(const ShaState& s, uint32_t h[8]) {
  const __m128i feba = _mm_shuffle_epi32(s.abef, 0x1B);
  const __m128i hgdc = _mm_shuffle_epi32(s.cdgh, 0xB1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(h), _mm_blend_epi16(feba, hgdc, 0xF0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(h + 4), _mm_alignr_epi8(hgdc, feba, 8));
}

// AES-256 key expansion (FIPS 197 §5.2): words 8i..8i+3 take
// SubWord(RotWord(previous word)) ^ Rcon, words 8i+4.. take SubWord only.
WAGATE_FUSED_INLINE __m128i PrefixXor(__m128i x) {
  x = _mm_xor_si128(x, _mm_slli_si128(x, 4));
  x = _mm_xor_si128(x, _mm_slli_si128(x, 4));
  return _mm_xor_si128(x, _mm_slli_si128(x, 4));
}

template <int kRcon>
WAGATE_FUSED_INLINE __m128i RotSubKey(__m128i two_back, __m128i one_back) {
  const __m128i t = _mm_shuffle_epi32(_mm_aeskeygenassist_si128(one_back, kRcon), 0xFF);
  return _mm_xor_si128(PrefixXor(two_back), t);
}

WAGATE_FUSED_INLINE __m128i SubKey(__m128i two_back, __m128i one_back) {
  const __m128i t = _mm_shuffle_epi32(_mm_aeskeygenassist_si128(one_back, 0), 0xAA);
  return _mm_xor_si128(PrefixXor(two_back), t);
}

WAGATE_FUSED_TARGET void ExpandKey(const uint8_t* key, uint8_t* out) {
  __m128i rk[15];
  rk[0] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key));
  rk[1] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key + 16));
  rk[2] = RotSubKey<0x01>(rk[0], rk[1]);
  rk[3] = SubKey(rk[1], rk[2]);
  rk[4] = RotSubKey<0x02>(rk[2], rk[3]);
  rk[5] = SubKey(rk[3], rk[4]);
  rk[6] = RotSubKey<0x04>(rk[4], rk[5]);
  rk[7] = SubKey(rk[5], rk[6]);
  rk[8] = RotSubKey<0x08>(rk[6], rk[7]);
  rk[9] = SubKey(rk[7], rk[8]);
  rk[10] = RotSubKey<0x10>(rk[8], rk[9]);
  rk[11] = SubKey(rk[9], rk[10]);
  rk[12] = RotSubKey<0x20>(rk[10], rk[11]);
  rk[13] = SubKey(rk[11], rk[12]);
  rk[14] = RotSubKey<0x40>(rk[12], rk[13]);
  std::memcpy(out, rk, sizeof(rk));
  crypto::Wipe(rk, sizeof(rk));
}

struct RoundKeys {
  __m128i k[15];
};

WAGATE_FUSED_INLINE RoundKeys LoadKeys(const uint8_t* bytes) {
  RoundKeys rk;
  for (int i = 0; i < 15; ++i) {
    rk.k[i] = _mm_load_si128(reinterpret_cast<const __m128i*>(bytes + 16 * i));
  }
  return rk;
}

// One CBC step: returns (and stores at `out`) E(in ^ chain). The first round
// key is folded into the plaintext first, off the chain's critical path.
WAGATE_FUSED_INLINE __m128i CbcStep(const RoundKeys& rk, __m128i chain, const uint8_t* in,
                                    uint8_t* out) {
  const __m128i p = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in)), rk.k[0]);
  __m128i x = _mm_xor_si128(p, chain);
#pragma GCC unroll 13
  for (int r = 1; r < 14; ++r) x = _mm_aesenc_si128(x, rk.k[r]);
  x = _mm_aesenclast_si128(x, rk.k[14]);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), x);
  return x;
}

// The fused loop interleaves the AES rounds with the SHA round groups in
// program order, so that the reorder window always holds work of every chain
// (a whole SHA block at a time would fill it while the CBC chain waits).
struct ShaJob {
  ShaState s;
  ShaState saved;
  __m128i m[4];
};

WAGATE_FUSED_INLINE void ShaBegin(ShaJob& job, const uint8_t* block) {
  const __m128i big_endian = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  job.saved = job.s;
  for (int i = 0; i < 4; ++i) {
    job.m[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * i)),
                                big_endian);
  }
}

// Round group i (rounds 4i..4i+3). REQUIRES: i is a compile-time constant
// after unrolling, 0 <= i < 16.
WAGATE_FUSED_INLINE void ShaStep(ShaJob& job, int i) {
  __m128i* m = job.m;
  if (i >= 4) {
    __m128i w = _mm_sha256msg1_epu32(m[i & 3], m[(i + 1) & 3]);
    w = _mm_add_epi32(w, _mm_alignr_epi8(m[(i + 3) & 3], m[(i + 2) & 3], 4));
    m[i & 3] = _mm_sha256msg2_epu32(w, m[(i + 3) & 3]);
  }
  __m128i k = _mm_add_epi32(
      m[i & 3], _mm_load_si128(reinterpret_cast<const __m128i*>(kRoundConstants + 4 * i)));
  job.s.cdgh = _mm_sha256rnds2_epu32(job.s.cdgh, job.s.abef, k);
  k = _mm_shuffle_epi32(k, 0x0E);
  job.s.abef = _mm_sha256rnds2_epu32(job.s.abef, job.s.cdgh, k);
}

WAGATE_FUSED_INLINE void ShaEnd(ShaJob& job) {
  job.s.abef = _mm_add_epi32(job.s.abef, job.saved.abef);
  job.s.cdgh = _mm_add_epi32(job.s.cdgh, job.saved.cdgh);
}

// One 64-byte block on its own (the hash tails and the one-chain paths).
WAGATE_FUSED_INLINE void Compress(ShaState& s, const uint8_t* block) {
  ShaJob job;
  job.s = s;
  ShaBegin(job, block);
#pragma GCC unroll 16
  for (int i = 0; i < 16; ++i) ShaStep(job, i);
  ShaEnd(job);
  s = job.s;
}

WAGATE_FUSED_TARGET void CompressBlocks(uint32_t h[8], const uint8_t* data, size_t blocks) {
  if (blocks == 0) return;
  ShaState s = LoadState(h);
  for (size_t i = 0; i < blocks; ++i) Compress(s, data + kChunk * i);
  StoreState(s, h);
}

// Operation `op` (0..59) of CBC-encrypting 64 bytes: block op / 15, step
// op % 15 (whitening, 13 rounds, last round and store).
WAGATE_FUSED_INLINE void AesOp(const RoundKeys& rk, __m128i& x, __m128i& chain, const uint8_t* in,
                               uint8_t* out, int op) {
  const int block = op / 15, step = op % 15;
  if (step == 0) {
    const __m128i p =
        _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 16 * block)), rk.k[0]);
    x = _mm_xor_si128(p, chain);
  } else if (step < 14) {
    x = _mm_aesenc_si128(x, rk.k[step]);
  } else {
    x = _mm_aesenclast_si128(x, rk.k[14]);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16 * block), x);
    chain = x;
  }
}

// One 64-byte step of the fused loop: encrypts `in` to `out`, hashes `in`
// into *plain and, with kCipherHashes, the earlier ciphertext blocks
// enc_block and mac_block into *enc and *mac.
template <bool kCipherHashes>
WAGATE_FUSED_INLINE void FusedStep(const RoundKeys& rk, __m128i& chain, const uint8_t* in,
                                   uint8_t* out, ShaState* plain, ShaState* enc,
                                   const uint8_t* enc_block, ShaState* mac,
                                   const uint8_t* mac_block) {
  ShaJob jp{*plain, {}, {}}, je{}, jm{};
  ShaBegin(jp, in);
  if constexpr (kCipherHashes) {
    je.s = *enc;
    jm.s = *mac;
    ShaBegin(je, enc_block);
    ShaBegin(jm, mac_block);
  }
  __m128i x = chain;
#pragma GCC unroll 16
  for (int g = 0; g < 16; ++g) {
#pragma GCC unroll 4
    for (int op = g * 60 / 16; op < (g + 1) * 60 / 16; ++op) AesOp(rk, x, chain, in, out, op);
    ShaStep(jp, g);
    if constexpr (kCipherHashes) {
      ShaStep(je, g);
      ShaStep(jm, g);
    }
  }
  ShaEnd(jp);
  *plain = jp.s;
  if constexpr (kCipherHashes) {
    ShaEnd(je);
    ShaEnd(jm);
    *enc = je.s;
    *mac = jm.s;
  }
}

// Two independent streams, round group by round group in the same loop.
WAGATE_FUSED_INLINE void CompressTwoBody(uint32_t ha[8], const uint8_t* a, uint32_t hb[8],
                                         const uint8_t* b, size_t blocks) {
  ShaJob ja{LoadState(ha), {}, {}}, jb{LoadState(hb), {}, {}};
  for (size_t i = 0; i < blocks; ++i) {
    ShaBegin(ja, a + kChunk * i);
    ShaBegin(jb, b + kChunk * i);
#pragma GCC unroll 16
    for (int g = 0; g < 16; ++g) {
      ShaStep(ja, g);
      ShaStep(jb, g);
    }
    ShaEnd(ja);
    ShaEnd(jb);
  }
  StoreState(ja.s, ha);
  StoreState(jb.s, hb);
}

WAGATE_FUSED_TARGET void CompressTwoSse(uint32_t ha[8], const uint8_t* a, uint32_t hb[8],
                                        const uint8_t* b, size_t blocks) {
  CompressTwoBody(ha, a, hb, b, blocks);
}

WAGATE_FUSED_WIDE_TARGET void CompressTwoWide(uint32_t ha[8], const uint8_t* a, uint32_t hb[8],
                                              const uint8_t* b, size_t blocks) {
  CompressTwoBody(ha, a, hb, b, blocks);
}

void CompressTwo(uint32_t ha[8], const uint8_t* a, uint32_t hb[8], const uint8_t* b,
                 size_t blocks) {
  if (blocks == 0) return;
  static const bool wide = CpuHasWideRegisters();
  if (wide && g_wide_enabled.load(std::memory_order_relaxed)) {
    CompressTwoWide(ha, a, hb, b, blocks);
  } else {
    CompressTwoSse(ha, a, hb, b, blocks);
  }
}

#endif  // __x86_64__

void StoreBigEndian(const uint32_t h[8], std::array<uint8_t, 32>* out) {
  for (int i = 0; i < 8; ++i) {
    (*out)[4 * i] = static_cast<uint8_t>(h[i] >> 24);
    (*out)[4 * i + 1] = static_cast<uint8_t>(h[i] >> 16);
    (*out)[4 * i + 2] = static_cast<uint8_t>(h[i] >> 8);
    (*out)[4 * i + 3] = static_cast<uint8_t>(h[i]);
  }
}

}  // namespace

#if defined(__x86_64__)

bool FusedCipherAvailable() {
  static const bool cpu = CpuHasFusedPath();
  return cpu && g_enabled.load(std::memory_order_relaxed);
}

#else

bool FusedCipherAvailable() { return false; }
void CompressBlocks(uint32_t*, const uint8_t*, size_t) { std::abort(); }
void CompressTwo(uint32_t*, const uint8_t*, uint32_t*, const uint8_t*, size_t) { std::abort(); }
void ExpandKey(const uint8_t*, uint8_t*) { std::abort(); }

#endif

void SetFusedCipherEnabledForTesting(bool enabled) { g_enabled.store(enabled); }
void SetWideRegistersEnabledForTesting(bool enabled) { g_wide_enabled.store(enabled); }

// ---- Sha256Ni ---------------------------------------------------------------

Sha256Ni::Sha256Ni() { std::memcpy(h_, kInitialState, sizeof(h_)); }

void Sha256Ni::Update(const uint8_t* data, size_t size) {
  if (size == 0) return;  // data may be null
  const size_t used = buffered();
  length_ += size;
  if (used > 0) {
    const size_t take = std::min(kChunk - used, size);
    std::memcpy(buffer_ + used, data, take);
    data += take;
    size -= take;
    if (used + take < kChunk) return;
    CompressBlocks(h_, buffer_, 1);
  }
  CompressBlocks(h_, data, size / kChunk);
  if (size % kChunk > 0) std::memcpy(buffer_, data + size / kChunk * kChunk, size % kChunk);
}

std::array<uint8_t, 32> Sha256Ni::Finish() {
  // FIPS 180-4 §5.1.1: 0x80, zeros to 56 mod 64, the bit length big-endian.
  const uint64_t bits = length_ * 8;
  uint8_t pad[kChunk + 8] = {0x80};
  const size_t zeros = (kChunk + 56 - (buffered() + 1) % kChunk) % kChunk;
  for (int i = 0; i < 8; ++i) pad[1 + zeros + i] = static_cast<uint8_t>(bits >> (56 - 8 * i));
  Update(pad, 1 + zeros + 8);
  std::array<uint8_t, 32> digest;
  StoreBigEndian(h_, &digest);
  return digest;
}

void HashTogether(Sha256Ni* a, std::string_view a_data, Sha256Ni* b, std::string_view b_data) {
  // Each stream first completes its buffered block with its own bytes; one
  // that still has a partial block afterwards has no bytes left.
  for (auto [sha, data] : {std::pair{a, &a_data}, std::pair{b, &b_data}}) {
    if (const size_t used = sha->buffered(); used > 0) {
      const size_t take = std::min(kChunk - used, data->size());
      sha->Update(data->substr(0, take));
      data->remove_prefix(take);
    }
  }
  const size_t blocks = std::min(a_data.size(), b_data.size()) / kChunk;
  CompressTwo(a->h_, reinterpret_cast<const uint8_t*>(a_data.data()), b->h_,
              reinterpret_cast<const uint8_t*>(b_data.data()), blocks);
  a->length_ += kChunk * blocks;
  b->length_ += kChunk * blocks;
  a->Update(a_data.substr(kChunk * blocks));
  b->Update(b_data.substr(kChunk * blocks));
}

// ---- HmacSha256Ni -----------------------------------------------------------

HmacSha256Ni::HmacSha256Ni(std::string_view key) {
  uint8_t block[kChunk] = {};
  if (key.size() > kChunk) {
    Sha256Ni hashed;
    hashed.Update(key);
    const auto digest = hashed.Finish();
    std::memcpy(block, digest.data(), digest.size());
  } else {
    std::memcpy(block, key.data(), key.size());
  }
  for (size_t i = 0; i < kChunk; ++i) {
    outer_key_[i] = block[i] ^ 0x5c;
    block[i] ^= 0x36;
  }
  inner_.Update(block, kChunk);
  crypto::Wipe(block, sizeof(block));
}

std::array<uint8_t, 32> HmacSha256Ni::Finish() {
  const auto inner = inner_.Finish();
  Sha256Ni outer;
  outer.Update(outer_key_, kChunk);
  outer.Update(inner.data(), inner.size());
  return outer.Finish();
}

// ---- FusedEncryptor ---------------------------------------------------------

FusedEncryptor::FusedEncryptor(std::string_view key, std::string_view iv, std::string_view mac_key)
    : mac_(mac_key) {
  ExpandKey(reinterpret_cast<const uint8_t*>(key.data()), round_keys_);
  std::memcpy(chain_, iv.data(), kBlock);
  mac_.Update(reinterpret_cast<const uint8_t*>(iv.data()), iv.size());  // MAC covers iv ‖ ct
}

FusedEncryptor::~FusedEncryptor() {
  crypto::Wipe(round_keys_, sizeof(round_keys_));
  crypto::Wipe(mac_.outer_key_, sizeof(mac_.outer_key_));
  crypto::Wipe(mac_.inner_.h_, sizeof(mac_.inner_.h_));
  crypto::Wipe(pending_, sizeof(pending_));
}

#if defined(__x86_64__)

WAGATE_FUSED_TARGET void FusedEncryptor::EncryptBlocks(const uint8_t* in, size_t blocks,
                                                       uint8_t* out, bool hash_plain) {
  const RoundKeys rk = LoadKeys(round_keys_);
  __m128i chain = _mm_load_si128(reinterpret_cast<const __m128i*>(chain_));
  for (size_t i = 0; i < blocks; ++i) chain = CbcStep(rk, chain, in + kBlock * i, out + kBlock * i);
  _mm_store_si128(reinterpret_cast<__m128i*>(chain_), chain);
  if (hash_plain) plain_sha_.Update(in, kBlock * blocks);
  mac_.Update(out, kBlock * blocks);
  enc_sha_.Update(out, kBlock * blocks);
}

namespace {

// The fused loop; compiled twice below, for the two register files.
struct FusedLanes {
  const uint8_t* round_keys;
  uint8_t* chain;
  uint32_t* plain;
  uint32_t* enc;
  uint32_t* mac;
  uint8_t* mac_buffer;  // in: the 16 bytes the MAC holds; out: the new 16
};

WAGATE_FUSED_INLINE void EncryptChunksBody(const FusedLanes& lanes, const uint8_t* in,
                                           size_t chunks, uint8_t* out) {
  const RoundKeys rk = LoadKeys(lanes.round_keys);
  __m128i chain = _mm_load_si128(reinterpret_cast<const __m128i*>(lanes.chain));
  ShaState plain = LoadState(lanes.plain);
  ShaState enc = LoadState(lanes.enc);
  ShaState mac = LoadState(lanes.mac);
  uint8_t first_mac_block[kChunk];
  std::memcpy(first_mac_block, lanes.mac_buffer, kBlock);
  FusedStep<false>(rk, chain, in, out, &plain, nullptr, nullptr, nullptr, nullptr);
  std::memcpy(first_mac_block + kBlock, out, kChunk - kBlock);
  for (size_t j = 1; j < chunks; ++j) {
    uint8_t* c = out + kChunk * j;
    FusedStep<true>(rk, chain, in + kChunk * j, c, &plain, &enc, c - kChunk, &mac,
                    j == 1 ? first_mac_block : c - kChunk - kBlock);
  }
  const uint8_t* last = out + kChunk * (chunks - 1);
  Compress(enc, last);
  Compress(mac, chunks == 1 ? first_mac_block : last - kBlock);
  std::memcpy(lanes.mac_buffer, last + kChunk - kBlock, kBlock);
  _mm_store_si128(reinterpret_cast<__m128i*>(lanes.chain), chain);
  StoreState(plain, lanes.plain);
  StoreState(enc, lanes.enc);
  StoreState(mac, lanes.mac);
}

WAGATE_FUSED_TARGET void EncryptChunksSse(const FusedLanes& lanes, const uint8_t* in, size_t chunks,
                                          uint8_t* out) {
  EncryptChunksBody(lanes, in, chunks, out);
}

WAGATE_FUSED_WIDE_TARGET void EncryptChunksWide(const FusedLanes& lanes, const uint8_t* in,
                                                size_t chunks, uint8_t* out) {
  EncryptChunksBody(lanes, in, chunks, out);
}

}  // namespace

// Chunk j encrypts plaintext j and hashes it, and hashes ciphertext chunk
// j - 1 into the file hash and the MAC: every chain in one iteration is
// independent of the others, so the core can overlap all four. The MAC's
// blocks start 16 bytes earlier (its stream begins with the iv).
void FusedEncryptor::EncryptChunks(const uint8_t* in, size_t chunks, uint8_t* out) {
  if (chunks == 0) return;
  static const bool wide = CpuHasWideRegisters();
  const FusedLanes lanes{round_keys_, chain_,         plain_sha_.h_,
                         enc_sha_.h_, mac_.inner_.h_, mac_.inner_.buffer_};
  if (wide && g_wide_enabled.load(std::memory_order_relaxed)) {
    EncryptChunksWide(lanes, in, chunks, out);
  } else {
    EncryptChunksSse(lanes, in, chunks, out);
  }
  plain_sha_.length_ += kChunk * chunks;
  enc_sha_.length_ += kChunk * chunks;
  mac_.inner_.length_ += kChunk * chunks;
}

#else

void FusedEncryptor::EncryptBlocks(const uint8_t*, size_t, uint8_t*, bool) { std::abort(); }
void FusedEncryptor::EncryptChunks(const uint8_t*, size_t, uint8_t*) { std::abort(); }

#endif

void FusedEncryptor::Update(std::string_view plaintext, std::string* out) {
  const auto* p = reinterpret_cast<const uint8_t*>(plaintext.data());
  size_t n = plaintext.size();
  if (n == 0) return;  // p may be null
  if (pending_size_ > 0) {
    const size_t take = std::min(kBlock - pending_size_, n);
    std::memcpy(pending_ + pending_size_, p, take);
    pending_size_ += take;
    p += take;
    n -= take;
    if (pending_size_ < kBlock) return;
    const size_t at = out->size();
    out->resize(at + kBlock);
    EncryptBlocks(pending_, 1, reinterpret_cast<uint8_t*>(out->data() + at));
    pending_size_ = 0;
  }
  // Whole blocks only from here on, so the plaintext hash is at a block
  // boundary exactly when the total is a multiple of 64 — and then so is the
  // ciphertext hash, and the MAC holds the 16 bytes that follow its boundary.
  while (n >= kBlock) {
    const size_t at = out->size();
    const size_t used = plain_sha_.buffered();
    if (used == 0 && n >= kChunk) {
      const size_t chunks = std::min(n / kChunk, kSliceChunks);
      out->resize(at + kChunk * chunks);
      EncryptChunks(p, chunks, reinterpret_cast<uint8_t*>(out->data() + at));
      p += kChunk * chunks;
      n -= kChunk * chunks;
      continue;
    }
    const size_t blocks = used == 0 ? n / kBlock : std::min(n / kBlock, (kChunk - used) / kBlock);
    out->resize(at + kBlock * blocks);
    EncryptBlocks(p, blocks, reinterpret_cast<uint8_t*>(out->data() + at));
    p += kBlock * blocks;
    n -= kBlock * blocks;
  }
  if (n > 0) std::memcpy(pending_, p, n);
  pending_size_ = n;
}

void FusedEncryptor::Finish(size_t mac_size, std::string* out, std::array<uint8_t, 32>* file_sha256,
                            std::array<uint8_t, 32>* file_enc_sha256) {
  // PKCS#7: 1..16 bytes, each holding the count; the plaintext hash covers
  // the file only.
  plain_sha_.Update(pending_, pending_size_);
  const auto pad = static_cast<uint8_t>(kBlock - pending_size_);
  std::memset(pending_ + pending_size_, pad, pad);
  const size_t at = out->size();
  out->resize(at + kBlock);
  EncryptBlocks(pending_, 1, reinterpret_cast<uint8_t*>(out->data() + at), /*hash_plain=*/false);
  pending_size_ = 0;
  const auto mac = mac_.Finish();
  out->append(reinterpret_cast<const char*>(mac.data()), mac_size);
  enc_sha_.Update(mac.data(), mac_size);
  *file_sha256 = plain_sha_.Finish();
  *file_enc_sha256 = enc_sha_.Finish();
}

}  // namespace wa::media::internal
