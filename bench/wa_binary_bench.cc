// WABinary encode/decode throughput (src/wa/binary) on the inputs of
// bench/data/wa_binary_inputs.json; bench/baileys_binary_bench.mjs times
// Baileys 7 on the same nodes. MB/s counts bytes of the encoded node.
// Run: wa_binary_bench --benchmark_format=json
#include <benchmark/benchmark.h>

#include <boost/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "wa/binary/decoder.h"
#include "wa/binary/encoder.h"
#include "wa/binary/node_json.h"

namespace {

using wa::binary::Node;

struct Inputs {
  Node stanza;
  Node large;
};

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "wa_binary_bench: %s\n", what.c_str());
  std::exit(1);
}

const Inputs& GetInputs() {
  static const Inputs inputs = [] {
    std::ifstream file(WAGATE_BENCH_DATA_DIR "/wa_binary_inputs.json");
    if (!file) Die("cannot open " WAGATE_BENCH_DATA_DIR "/wa_binary_inputs.json");
    std::stringstream text;
    text << file.rdbuf();
    boost::json::value json = boost::json::parse(text.str());
    Inputs out;
    auto stanza = wa::binary::NodeFromJson(json.at("message_stanza"));
    if (!stanza.ok()) Die(stanza.status().ToString());
    out.stanza = std::move(stanza).value();
    const auto& large = json.at("large_binary").as_object();
    auto node = wa::binary::NodeFromJson(large.at("node"));
    if (!node.ok()) Die(node.status().ToString());
    out.large = std::move(node).value();
    std::string bytes(static_cast<size_t>(large.at("content_bytes").as_int64()), '\0');
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((7 * i) & 0xff);
    out.large.content = wa::binary::Bytes{std::move(bytes)};
    return out;
  }();
  return inputs;
}

void Encode(benchmark::State& state, const Node& node) {
  size_t bytes = 0;
  for (auto _ : state) {
    auto encoded = wa::binary::EncodeNode(node);
    bytes = encoded->size();
    benchmark::DoNotOptimize(encoded);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["node_bytes"] = static_cast<double>(bytes);
}

void Decode(benchmark::State& state, const Node& node) {
  std::string encoded = *wa::binary::EncodeNode(node);
  for (auto _ : state) {
    auto decoded = wa::binary::DecodeNode(encoded);
    if (!decoded.ok()) Die(decoded.status().ToString());
    benchmark::DoNotOptimize(decoded);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * encoded.size()));
  state.counters["node_bytes"] = static_cast<double>(encoded.size());
}

// Zero-copy decoding (DecodeNodeShared): large byte content becomes a slice of
// the input buffer, as Baileys' Buffer views are.
void DecodeShared(benchmark::State& state, const Node& node) {
  auto encoded = std::make_shared<const std::string>(*wa::binary::EncodeNode(node));
  for (auto _ : state) {
    auto decoded = wa::binary::DecodeNodeShared(encoded);
    if (!decoded.ok()) Die(decoded.status().ToString());
    benchmark::DoNotOptimize(decoded);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * encoded->size()));
  state.counters["node_bytes"] = static_cast<double>(encoded->size());
}

void BM_EncodeMessageStanza(benchmark::State& state) { Encode(state, GetInputs().stanza); }
void BM_DecodeMessageStanza(benchmark::State& state) { Decode(state, GetInputs().stanza); }
void BM_DecodeMessageStanzaShared(benchmark::State& state) {
  DecodeShared(state, GetInputs().stanza);
}
void BM_EncodeLargeBinary(benchmark::State& state) { Encode(state, GetInputs().large); }
void BM_DecodeLargeBinary(benchmark::State& state) { Decode(state, GetInputs().large); }
void BM_DecodeLargeBinaryShared(benchmark::State& state) { DecodeShared(state, GetInputs().large); }

BENCHMARK(BM_EncodeMessageStanza);
BENCHMARK(BM_DecodeMessageStanza);
BENCHMARK(BM_DecodeMessageStanzaShared);
BENCHMARK(BM_EncodeLargeBinary);
BENCHMARK(BM_DecodeLargeBinary);
BENCHMARK(BM_DecodeLargeBinaryShared);

}  // namespace

BENCHMARK_MAIN();
