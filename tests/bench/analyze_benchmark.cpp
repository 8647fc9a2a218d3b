// Throughput of the PIF/VIF analysis against the ways to read the same
// captures without it, measured side by side in one run:
//   RawRead/libpcap   both files through pcap_next_ex (what most tools do)
//   RawRead/mmap      both files walked through weaver's readers, no decoding
//   Join/unordered_map   weaver's decoder and keys, joined in a std::unordered_map
//   Analyze           weaver's full analysis (decode, key, streaming join, stats)
// Input: WEAVER_BENCH_PACKETS (default 10,000,000) 60-byte TCP SYNs at 1 Mpps,
// 1-50 us delays, 0.1% loss, 1% reordering, written once to a temporary folder.
// Counter `pairs_per_second` is packet pairs (one PIF + one VIF record) per second.
#include <benchmark/benchmark.h>
#include <pcap/pcap.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <algorithm>
#include <unordered_map>
#include <utility>
#include <vector>

#include "synthetic_traffic.hpp"
#include "analysis/streaming_join.hpp"
#include "weaver/analysis/analyze.hpp"
#include "weaver/capture/capture_reader.hpp"
#include "weaver/capture/decoder.hpp"
#include "weaver/capture/match_key.hpp"

namespace {

namespace fs = std::filesystem;

struct BenchInput {
  fs::path folder;
  std::string pif;
  std::string vif;
  std::uint64_t packets = 0;

  BenchInput() {
    const char* requested = std::getenv("WEAVER_BENCH_PACKETS");
    packets = requested != nullptr ? std::stoull(requested) : 10'000'000;
    char pattern[] = "/tmp/weaver-bench-XXXXXX";
    folder = ::mkdtemp(pattern);
    pif = (folder / "pif.pcap").string();
    vif = (folder / "vif.pcap").string();
    weaver::testing::SyntheticTraffic traffic;
    traffic.packets = packets;
    traffic.loss = 0.001;
    traffic.reorder = 0.01;
    weaver::testing::write_synthetic_captures(traffic, pif, vif);
  }
  ~BenchInput() { fs::remove_all(folder); }
};

const BenchInput& input() {
  static const BenchInput instance;
  return instance;
}

void report_pairs(benchmark::State& state) {
  state.counters["pairs_per_second"] = benchmark::Counter(
      static_cast<double>(input().packets) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}

std::uint64_t read_with_libpcap(const std::string& path) {
  char error[PCAP_ERRBUF_SIZE];
  pcap_t* pcap = pcap_open_offline_with_tstamp_precision(path.c_str(),
                                                         PCAP_TSTAMP_PRECISION_NANO, error);
  if (pcap == nullptr) throw std::runtime_error(error);
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  std::uint64_t bytes = 0;
  while (pcap_next_ex(pcap, &header, &data) == 1) bytes += data[header->caplen - 1];
  pcap_close(pcap);
  return bytes;
}

void BM_RawReadLibpcap(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(read_with_libpcap(input().pif) + read_with_libpcap(input().vif));
  }
  report_pairs(state);
}

std::uint64_t walk(const std::string& path) {
  auto reader = weaver::capture::open_capture(path);
  weaver::capture::RawPacket packet;
  std::uint64_t bytes = 0;
  while (reader->next(packet)) bytes += packet.bytes.back();
  return bytes;
}

void BM_RawReadMmap(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(walk(input().pif) + walk(input().vif));
  report_pairs(state);
}

// Reading, decoding and keying both files, without joining: the cost of
// everything before the join.
std::uint64_t decode_and_key(const std::string& path) {
  using namespace weaver::capture;
  auto reader = open_capture(path);
  RawPacket packet;
  DecodedPacket decoded;
  std::uint64_t keys = 0;
  while (reader->next(packet)) {
    decode_packet(packet.link_type, packet.bytes, decoded);
    keys ^= make_match_key(KeyKind::automatic, decoded).value;
  }
  return keys;
}

void BM_DecodeAndKey(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(decode_and_key(input().pif) ^ decode_and_key(input().vif));
  }
  report_pairs(state);
}

// The join alone, over keys decoded beforehand: its share of Analyze.
void BM_JoinOnly(benchmark::State& state) {
  using namespace weaver::capture;
  struct Keyed {
    std::uint64_t key;
    std::int64_t timestamp_ns;
    weaver::analysis::Side side;
  };
  std::vector<Keyed> keyed;
  for (const auto& [path, side] : {std::pair{input().pif, weaver::analysis::Side::pif},
                                   std::pair{input().vif, weaver::analysis::Side::vif}}) {
    auto reader = open_capture(path);
    RawPacket packet;
    DecodedPacket decoded;
    while (reader->next(packet)) {
      decode_packet(packet.link_type, packet.bytes, decoded);
      keyed.push_back({make_match_key(KeyKind::automatic, decoded).value, packet.timestamp_ns, side});
    }
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const Keyed& a, const Keyed& b) { return a.timestamp_ns < b.timestamp_ns; });
  for (auto _ : state) {
    weaver::analysis::LatencyResult result;
    weaver::analysis::StreamingJoin join(weaver::analysis::kDefaultWindowNs, result);
    for (const Keyed& packet : keyed) join.add(packet.side, packet.key, packet.timestamp_ns);
    join.finish();
    benchmark::DoNotOptimize(result.matched);
  }
  report_pairs(state);
}

// The obvious join: every PIF key into a hash map, then every VIF key looked up.
void BM_JoinUnorderedMap(benchmark::State& state) {
  using namespace weaver::capture;
  for (auto _ : state) {
    std::unordered_map<std::uint64_t, std::int64_t> pif_times;
    RawPacket packet;
    DecodedPacket decoded;
    auto pif = open_capture(input().pif);
    while (pif->next(packet)) {
      decode_packet(packet.link_type, packet.bytes, decoded);
      pif_times.emplace(make_match_key(KeyKind::hash, decoded).value, packet.timestamp_ns);
    }
    auto vif = open_capture(input().vif);
    std::int64_t total = 0;
    while (vif->next(packet)) {
      decode_packet(packet.link_type, packet.bytes, decoded);
      const auto found = pif_times.find(make_match_key(KeyKind::hash, decoded).value);
      if (found != pif_times.end()) total += packet.timestamp_ns - found->second;
    }
    benchmark::DoNotOptimize(total);
  }
  report_pairs(state);
}

void BM_Analyze(benchmark::State& state) {
  weaver::analysis::AnalyzeOptions options;
  options.pif_path = input().pif;
  options.vif_path = input().vif;
  for (auto _ : state) {
    const auto result = weaver::analysis::analyze_captures(options);
    benchmark::DoNotOptimize(result.matched);
    state.counters["matched"] = static_cast<double>(result.matched);
  }
  report_pairs(state);
}

// Analyze first: the memory-hungry unordered_map baseline leaves the machine
// slower for whatever runs after it. Repetitions give medians on a noisy
// machine; the slow baselines run once.
BENCHMARK(BM_Analyze)->Name("Analyze")->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(5);
BENCHMARK(BM_RawReadMmap)->Name("RawRead/mmap")->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(5);
BENCHMARK(BM_DecodeAndKey)->Name("DecodeAndKey")->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(3);
BENCHMARK(BM_JoinOnly)->Name("JoinOnly")->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(3);
BENCHMARK(BM_RawReadLibpcap)->Name("RawRead/libpcap")->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(3);
BENCHMARK(BM_JoinUnorderedMap)->Name("Join/unordered_map")->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(1);

}  // namespace

BENCHMARK_MAIN();
