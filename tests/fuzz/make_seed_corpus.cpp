// Writes the fuzzers' seed corpus, so that no binary file is committed:
//   make_seed_corpus CAPTURE_DIR FRAME_DIR
// CAPTURE_DIR gets pcap/pcapng files for capture_fuzzer; FRAME_DIR gets
// inputs for decoder_fuzzer (a 2-byte little-endian link-type selector, then
// one frame). Both directories are created and emptied first.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "capture_writer.hpp"
#include "packet_builder.hpp"

namespace {

namespace fs = std::filesystem;
using weaver::testing::Bytes;
using weaver::testing::CaptureFileSpec;
using weaver::testing::CaptureFormat;
using weaver::testing::CaptureWriter;
using weaver::testing::Overlay;
using weaver::testing::PacketSpec;
using weaver::testing::Transport;

// Selectors for decoder_fuzzer: the index of the link type in its table.
enum Selector : std::uint16_t {
  kSelEthernet = 0,
  kSelRaw = 1,
  kSelSll = 2,
  kSelIpv4 = 3,
  kSelIpv6 = 4,
  kSelSll2 = 5,
  kSelRawLegacy = 6,
};

constexpr std::int64_t kStart = 1'700'000'000'000'000'000;

// weaver's payload identifier: "WVR1", run id, sequence, send time (big-endian).
Bytes payload_id(std::uint32_t run, std::uint64_t sequence, std::size_t total_size = 32) {
  Bytes out = {'W', 'V', 'R', '1'};
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(run >> shift));
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(sequence >> shift));
  const std::uint64_t sent = static_cast<std::uint64_t>(kStart) + sequence * 1000;
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(sent >> shift));
  out.resize(total_size, 0x5a);
  return out;
}

PacketSpec tcp4() {
  PacketSpec spec;
  spec.tcp_sequence = 0x10203040;
  spec.payload = {'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P', '/', '1', '.', '1'};
  return spec;
}

PacketSpec udp4(std::uint64_t sequence) {
  PacketSpec spec;
  spec.transport = Transport::udp;
  spec.source_port = 50000;
  spec.destination_port = 9000;
  spec.ip_id = static_cast<std::uint16_t>(sequence);
  spec.payload = payload_id(7, sequence);
  return spec;
}

PacketSpec icmp4() {
  PacketSpec spec;
  spec.transport = Transport::icmp;
  spec.icmp_identifier = 0x4242;
  spec.icmp_sequence = 3;
  spec.payload = payload_id(7, 3, 24);
  return spec;
}

PacketSpec v6(Transport transport) {
  PacketSpec spec;
  spec.ip_version = 6;
  spec.source = "2001:db8::1";
  spec.destination = "2001:db8::2";
  spec.transport = transport;
  spec.flow_label = 0x12345;
  if (transport == Transport::udp) {
    spec.destination_port = 9000;
    spec.payload = payload_id(9, 1);
  }
  return spec;
}

Bytes geneve_frame(PacketSpec spec) {
  spec.overlay = Overlay::geneve;
  return weaver::testing::build_ethernet_frame(spec);
}

// A record-level view of one capture file being written.
class Capture {
 public:
  Capture(const fs::path& path, CaptureFormat format, std::uint32_t link_type, bool swapped = false)
      : writer_(path.string(), CaptureFileSpec{format, link_type, swapped, 262144}) {}

  Capture& add(const Bytes& frame, std::uint32_t original_length = 0) {
    writer_.write(kStart + static_cast<std::int64_t>(records_++) * 1'000'250, frame, original_length);
    return *this;
  }
  void raw(const Bytes& bytes) { writer_.write_bytes(bytes); }
  void close() { writer_.close(); }

 private:
  CaptureWriter writer_;
  std::uint64_t records_ = 0;
};

// pcapng blocks in host byte order (the order an unswapped CaptureWriter uses).
struct Block {
  Bytes body;
  void u8(std::uint8_t v) { body.push_back(v); }
  void u16(std::uint16_t v) { append(&v, sizeof v); }
  void u32(std::uint32_t v) { append(&v, sizeof v); }
  void u64(std::uint64_t v) { append(&v, sizeof v); }
  void bytes(const Bytes& b) { body.insert(body.end(), b.begin(), b.end()); }
  void pad() { body.resize((body.size() + 3) & ~std::size_t{3}, 0); }
  void option(std::uint16_t code, const Bytes& value) {
    u16(code);
    u16(static_cast<std::uint16_t>(value.size()));
    bytes(value);
    pad();
  }
  Bytes finish(std::uint32_t type) const {
    Block out;
    const auto length = static_cast<std::uint32_t>(12 + ((body.size() + 3) & ~std::size_t{3}));
    out.u32(type);
    out.u32(length);
    out.bytes(body);
    out.pad();
    out.u32(length);
    return out.body;
  }

 private:
  void append(const void* p, std::size_t n) {
    const auto* b = static_cast<const std::uint8_t*>(p);
    body.insert(body.end(), b, b + n);
  }
};

Bytes enhanced_packet(std::uint32_t interface, std::uint64_t units, const Bytes& frame) {
  Block block;
  block.u32(interface);
  block.u32(static_cast<std::uint32_t>(units >> 32));
  block.u32(static_cast<std::uint32_t>(units));
  block.u32(static_cast<std::uint32_t>(frame.size()));
  block.u32(static_cast<std::uint32_t>(frame.size()));
  block.bytes(frame);
  block.pad();
  block.option(1, {'s', 'e', 'e', 'd'});  // opt_comment
  block.u32(0);                           // opt_endofopt
  return block.finish(6);
}

void write_file(const fs::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

void write_captures(const fs::path& dir) {
  // 1. Ethernet: TCP with IPv4 options, UDP with a payload id, ICMP echo, ARP.
  {
    Capture capture(dir / "ethernet_ipv4.pcap", CaptureFormat::pcap_us, 1);
    PacketSpec options = tcp4();
    options.ipv4_options = {0x94, 0x04, 0x00, 0x00};  // router alert
    Bytes arp = weaver::testing::build_ethernet_frame(tcp4());
    arp[12] = 0x08;
    arp[13] = 0x06;
    capture.add(weaver::testing::build_ethernet_frame(options))
        .add(weaver::testing::build_ethernet_frame(udp4(1)))
        .add(weaver::testing::build_ethernet_frame(icmp4()))
        .add(arp);
    capture.close();
  }
  // 2. VLAN stacks: 802.1Q, QinQ (88a8 + 8100), legacy 9100; other byte order, ns.
  {
    Capture capture(dir / "vlan_swapped.pcap", CaptureFormat::pcap_ns, 1, /*swapped=*/true);
    PacketSpec single = udp4(2);
    single.vlan_tpids = {0x8100};
    PacketSpec qinq = tcp4();
    qinq.vlan_tpids = {0x88a8, 0x8100};
    PacketSpec legacy = v6(Transport::udp);
    legacy.vlan_tpids = {0x9100, 0x8100};
    capture.add(weaver::testing::build_ethernet_frame(single))
        .add(weaver::testing::build_ethernet_frame(qinq))
        .add(weaver::testing::build_ethernet_frame(legacy));
    capture.close();
  }
  // 3. IPv6 with extension headers (hop-by-hop, routing, destination, fragment).
  {
    Capture capture(dir / "ipv6_extensions.pcapng", CaptureFormat::pcapng_ns, 1);
    PacketSpec chain = v6(Transport::tcp);
    chain.ipv6_extension_headers = {0, 43, 60};
    PacketSpec fragment = v6(Transport::udp);
    fragment.ipv6_extension_headers = {44};
    fragment.ip_id = 0x7777;
    PacketSpec echo = v6(Transport::icmp);  // ICMPv6 echo
    echo.payload = payload_id(9, 2, 24);
    capture.add(weaver::testing::build_ethernet_frame(chain))
        .add(weaver::testing::build_ethernet_frame(fragment))
        .add(weaver::testing::build_ethernet_frame(echo));
    capture.close();
  }
  // 4. VXLAN (IANA and Linux ports) around IPv4 and IPv6; pcapng, other byte order.
  {
    Capture capture(dir / "vxlan_swapped.pcapng", CaptureFormat::pcapng_us, 1, /*swapped=*/true);
    PacketSpec inner4 = udp4(3);
    inner4.overlay = Overlay::vxlan;
    PacketSpec inner6 = v6(Transport::tcp);
    inner6.overlay = Overlay::vxlan_linux;
    inner6.vlan_tpids = {0x8100};
    capture.add(weaver::testing::build_ethernet_frame(inner4))
        .add(weaver::testing::build_ethernet_frame(inner6));
    capture.close();
  }
  // 5. Geneve with options, around ICMP, a tagged IPv6 frame and UDP.
  {
    Capture capture(dir / "geneve.pcap", CaptureFormat::pcap_us, 1);
    PacketSpec tagged = v6(Transport::udp);
    tagged.vlan_tpids = {0x8100};
    PacketSpec as_built = udp4(9);
    as_built.overlay = Overlay::geneve;
    capture.add(geneve_frame(icmp4()))
        .add(geneve_frame(tagged))
        .add(weaver::testing::build_ethernet_frame(as_built));
    capture.close();
  }
  // 6. Linux cooked SLL.
  {
    Capture capture(dir / "linux_sll.pcap", CaptureFormat::pcap_ns, 113);
    capture.add(weaver::testing::build_linux_sll_frame(tcp4()))
        .add(weaver::testing::build_linux_sll_frame(v6(Transport::udp)));
    capture.close();
  }
  // 7. Linux cooked SLL2.
  {
    Capture capture(dir / "linux_sll2.pcapng", CaptureFormat::pcapng_ns, 276);
    capture.add(weaver::testing::build_linux_sll2_frame(udp4(4)))
        .add(weaver::testing::build_linux_sll2_frame(v6(Transport::icmp)));
    capture.close();
  }
  // 8. Raw IP (LINKTYPE_RAW), both versions.
  {
    Capture capture(dir / "raw_ip.pcap", CaptureFormat::pcap_us, 101);
    PacketSpec fragment = v6(Transport::udp);
    fragment.ipv6_extension_headers = {44};
    capture.add(weaver::testing::build_ip_packet(tcp4()))
        .add(weaver::testing::build_ip_packet(fragment));
    capture.close();
  }
  // 9. Raw IPv4 (228) and raw IPv6 (229).
  {
    Capture capture(dir / "raw_ipv4.pcap", CaptureFormat::pcap_ns, 228);
    capture.add(weaver::testing::build_ip_packet(udp4(5)))
        .add(weaver::testing::build_ip_packet(icmp4()));
    capture.close();
    Capture capture6(dir / "raw_ipv6.pcapng", CaptureFormat::pcapng_us, 229);
    PacketSpec chain = v6(Transport::udp);
    chain.ipv6_extension_headers = {0, 60};
    capture6.add(weaver::testing::build_ip_packet(chain));
    capture6.close();
  }
  // 10. pcapng beyond the writer's defaults: a second interface with a
  //     power-of-two resolution and a time offset, block options, a simple
  //     packet block, an obsolete packet block, a name resolution block,
  //     then a second section with its own interface.
  {
    Capture capture(dir / "pcapng_blocks.pcapng", CaptureFormat::pcapng_us, 1);
    capture.add(weaver::testing::build_ethernet_frame(tcp4()));
    Block idb;
    idb.u16(101);  // raw IP
    idb.u16(0);
    idb.u32(65535);
    idb.option(2, {'e', 't', 'h', '1'});  // if_name
    idb.option(9, {0x80 | 20});           // if_tsresol: 2^-20 s
    Block offset;
    offset.u64(1);
    idb.option(14, offset.body);  // if_tsoffset: 1 s
    idb.u32(0);
    capture.raw(idb.finish(1));
    capture.raw(enhanced_packet(1, 123456789, weaver::testing::build_ip_packet(udp4(6))));
    Block simple;  // simple packet block: original length, then the frame
    const Bytes simple_frame = weaver::testing::build_ethernet_frame(udp4(7));
    simple.u32(static_cast<std::uint32_t>(simple_frame.size()));
    simple.bytes(simple_frame);
    capture.raw(simple.finish(3));
    Block obsolete;  // packet block: interface (16), drops (16), timestamp, lengths
    const Bytes obsolete_frame = weaver::testing::build_ethernet_frame(icmp4());
    obsolete.u16(0);
    obsolete.u16(0);
    obsolete.u32(0x00060000);
    obsolete.u32(0x11223344);
    obsolete.u32(static_cast<std::uint32_t>(obsolete_frame.size()));
    obsolete.u32(static_cast<std::uint32_t>(obsolete_frame.size()));
    obsolete.bytes(obsolete_frame);
    capture.raw(obsolete.finish(2));
    Block names;  // name resolution block: one IPv4 record, then nrb_record_end
    names.u16(1);
    names.u16(9);
    names.bytes({198, 18, 0, 1, 'h', 'o', 's', 't', 0});
    names.pad();
    names.u32(0);
    capture.raw(names.finish(4));
    Block section;  // a second section header
    section.u32(0x1a2b3c4d);
    section.u16(1);
    section.u16(0);
    section.u64(~std::uint64_t{0});
    capture.raw(section.finish(0x0a0d0d0a));
    Block idb2;
    idb2.u16(113);
    idb2.u16(0);
    idb2.u32(0);
    idb2.option(9, {3});  // milliseconds
    idb2.u32(0);
    capture.raw(idb2.finish(1));
    capture.raw(enhanced_packet(0, 1700000000123, weaver::testing::build_linux_sll_frame(tcp4())));
    capture.close();
  }
  // 11. A capture cut off in the middle of its last record, and a record
  //     captured shorter than the packet was (snap length).
  {
    const Bytes frame = weaver::testing::build_ethernet_frame(udp4(8));
    Capture capture(dir / "truncated.pcap", CaptureFormat::pcap_us, 1);
    capture.add(Bytes(frame.begin(), frame.begin() + 34), static_cast<std::uint32_t>(frame.size()));
    capture.add(frame);
    capture.close();
    std::vector<char> bytes;
    {
      std::ifstream in(dir / "truncated.pcap", std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    bytes.resize(bytes.size() - 10);
    write_file(dir / "truncated.pcap", Bytes(bytes.begin(), bytes.end()));
  }
}

void write_frame(const fs::path& dir, const std::string& name, std::uint16_t selector,
                 const Bytes& frame) {
  Bytes input = {static_cast<std::uint8_t>(selector), static_cast<std::uint8_t>(selector >> 8)};
  input.insert(input.end(), frame.begin(), frame.end());
  write_file(dir / (name + ".bin"), input);
}

void write_frames(const fs::path& dir) {
  using weaver::testing::build_ethernet_frame;
  using weaver::testing::build_ip_packet;
  PacketSpec vlan = tcp4();
  vlan.vlan_tpids = {0x88a8, 0x8100};
  write_frame(dir, "ethernet_qinq_tcp", kSelEthernet, build_ethernet_frame(vlan));
  write_frame(dir, "ethernet_udp_payload_id", kSelEthernet, build_ethernet_frame(udp4(1)));
  PacketSpec fragment = v6(Transport::udp);
  fragment.ipv6_extension_headers = {0, 43, 44};
  write_frame(dir, "ethernet_ipv6_extensions", kSelEthernet, build_ethernet_frame(fragment));
  PacketSpec vxlan = v6(Transport::tcp);
  vxlan.overlay = Overlay::vxlan;
  write_frame(dir, "ethernet_vxlan", kSelEthernet, build_ethernet_frame(vxlan));
  write_frame(dir, "ethernet_geneve", kSelEthernet, geneve_frame(icmp4()));
  write_frame(dir, "raw_ipv4_icmp", kSelRaw, build_ip_packet(icmp4()));
  write_frame(dir, "raw_ipv6_icmpv6", kSelRaw, build_ip_packet(v6(Transport::icmp)));
  write_frame(dir, "sll_tcp", kSelSll, weaver::testing::build_linux_sll_frame(tcp4()));
  PacketSpec options = udp4(2);
  options.ipv4_options = {0x01, 0x01, 0x01, 0x00};  // NOPs and end of list
  write_frame(dir, "ipv4_options_udp", kSelIpv4, build_ip_packet(options));
  PacketSpec chain = v6(Transport::tcp);
  chain.ipv6_extension_headers = {60};
  write_frame(dir, "ipv6_destination_tcp", kSelIpv6, build_ip_packet(chain));
  write_frame(dir, "sll2_ipv6_udp", kSelSll2,
              weaver::testing::build_linux_sll2_frame(v6(Transport::udp)));
  write_frame(dir, "raw_legacy_tcp", kSelRawLegacy, build_ip_packet(tcp4()));
}

void reset_directory(const fs::path& dir) {
  fs::remove_all(dir);
  fs::create_directories(dir);
}

}  // namespace

// Lab and scenario files: valid ones, and the near misses the readers refuse.
void write_yaml(const fs::path& dir) {
  const std::pair<const char*, const char*> seeds[] = {
      {"lab.yaml",
       "defaults:\n  user: root\n  known_hosts: /tmp/known_hosts\nsources:\n  - name: src1\n    host: 198.18.0.5\n"
       "    address: 198.18.0.10\nhypervisors:\n  - name: xen1\n    host: 198.18.0.2\n    adapter: xenserver\n"
       "    pif: eth0\n    vms:\n      - name: instance-0f3c\n        vif_index: 0\n        address: 198.18.1.20\n"
       "        ssh:\n          host: 198.18.1.21\n"},
      {"scenarios.yaml",
       "scenarios:\n  - name: SynFloodLarge\n    protocol: syn\n    port: 80\n    axes:\n      size: [64, 128, 1518]\n"
       "      rate: [1000, 10000]\n      count: [5000]\n  - name: Bursts\n    protocol: udp\n    axes:\n"
       "      burst: [32]\n      burst_interval_us: [1000]\n      count: [2048]\n"},
      {"egress.yaml", "scenarios:\n  - {name: Out, protocol: udp, direction: egress, axes: {count: [10]}}\n"},
      {"anchors.yaml", "a: &x [1, 2]\nb: *x\nscenarios: [{name: A, protocol: icmp, axes: {count: *x}}]\n"},
      {"bad_type.yaml", "sources: 5\nhypervisors: {}\n"},
  };
  for (const auto& [name, text] : seeds) {
    const std::string_view view(text);
    write_file(dir / name, Bytes(view.begin(), view.end()));
  }
}

// Google Benchmark JSON as weaver.json holds it: repetitions, aggregates, a
// failed case, a bare NaN.
void write_run_json(const fs::path& dir) {
  const std::pair<const char*, const char*> seeds[] = {
      {"run.json",
       R"({"context": {"date": "2026-11-28"}, "benchmarks": [
{"name": "SynFlood/lab-bridge/size:64/repeats:2/manual_time", "run_name": "SynFlood/lab-bridge/size:64/manual_time",
 "run_type": "iteration", "repetitions": 2, "repetition_index": 0, "real_time": 6.8, "time_unit": "us", "p50_us": 6.1, "p99_us": 140.7},
{"name": "SynFlood/lab-bridge/size:64/repeats:2/manual_time", "run_name": "SynFlood/lab-bridge/size:64/manual_time",
 "run_type": "iteration", "repetitions": 2, "repetition_index": 1, "real_time": 7.1, "time_unit": "us", "p50_us": 6.3, "p99_us": 150.2},
{"name": "SynFlood/lab-bridge/size:64/repeats:2/manual_time_cv", "run_name": "SynFlood/lab-bridge/size:64/manual_time",
 "run_type": "aggregate", "aggregate_name": "cv", "real_time": 0.03, "lost": NaN},
{"name": "UdpBurst/lab-bridge/size:1518", "run_name": "UdpBurst/lab-bridge/size:1518", "run_type": "iteration",
 "error_occurred": true, "error_message": "lab-bridge: tcpdump did not start"}]}
)"},
      {"aggregates.json",
       R"({"benchmarks": [{"name": "A/x_mean", "run_name": "A/x", "run_type": "aggregate", "aggregate_name": "mean", "real_time": 5, "time_unit": "ms"}]})"},
      {"wrong_types.json", R"({"benchmarks": [{"name": 5, "error_occurred": "yes", "p50_us": "1"}]})"},
  };
  for (const auto& [name, text] : seeds) {
    const std::string_view view(text);
    write_file(dir / name, Bytes(view.begin(), view.end()));
  }
}

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s CAPTURE_DIR FRAME_DIR YAML_DIR RUN_JSON_DIR\n", argv[0]);
    return 2;
  }
  try {
    const fs::path captures = argv[1];
    const fs::path frames = argv[2];
    reset_directory(captures);
    reset_directory(frames);
    reset_directory(argv[3]);
    reset_directory(argv[4]);
    write_captures(captures);
    write_frames(frames);
    write_yaml(argv[3]);
    write_run_json(argv[4]);
    std::printf("seed corpus: %zu capture(s) in %s, %zu frame(s) in %s\n",
                static_cast<std::size_t>(std::distance(fs::directory_iterator(captures), {})),
                captures.c_str(),
                static_cast<std::size_t>(std::distance(fs::directory_iterator(frames), {})),
                frames.c_str());
  } catch (const std::exception& error) {
    std::fprintf(stderr, "make_seed_corpus: %s\n", error.what());
    return 1;
  }
  return 0;
}
