#include "weaver/capture/packet_filter.hpp"

#include <map>

#include "pcap_handle.hpp"
#include "weaver/capture/decoder.hpp"
#include "weaver/error.hpp"

namespace weaver::capture {
namespace {

constexpr int kSnapLength = 262144;

// Capture files carry LINKTYPE_ numbers, libpcap's handles take DLT_ ones;
// they differ only for raw IP among the link types weaver reads.
int dlt_of(std::uint32_t link_type) {
  return link_type == kLinkRaw ? DLT_RAW : static_cast<int>(link_type);
}

BpfProgram compile(const std::string& expression, std::uint32_t link_type) {
  PcapHandle pcap(pcap_open_dead(dlt_of(link_type), kSnapLength));
  if (pcap.get() == nullptr) throw Error("libpcap could not open a dead handle");
  BpfProgram program;
  if (pcap_compile(pcap.get(), program.get(), expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    throw UsageError("--filter '" + expression + "': " + pcap_geterr(pcap.get()) + " (for " +
                     std::string(link_type_name(link_type)) + " captures)");
  }
  return program;
}

}  // namespace

struct PacketFilter::Compiled {
  std::map<std::uint32_t, BpfProgram> by_link_type;
};

PacketFilter::PacketFilter(std::string expression)
    : expression_(std::move(expression)), compiled_(std::make_unique<Compiled>()) {
  // Compiling once up front reports a bad expression before any file is read.
  compiled_->by_link_type.emplace(kLinkEthernet, compile(expression_, kLinkEthernet));
}

PacketFilter::~PacketFilter() = default;
PacketFilter::PacketFilter(PacketFilter&&) noexcept = default;
PacketFilter& PacketFilter::operator=(PacketFilter&&) noexcept = default;

bool PacketFilter::accepts(const RawPacket& packet) {
  auto found = compiled_->by_link_type.find(packet.link_type);
  if (found == compiled_->by_link_type.end()) {
    found = compiled_->by_link_type.emplace(packet.link_type, compile(expression_, packet.link_type))
                .first;
  }
  pcap_pkthdr header{};
  header.caplen = static_cast<bpf_u_int32>(packet.bytes.size());
  header.len = packet.original_length;
  return pcap_offline_filter(found->second.get(), &header, packet.bytes.data()) != 0;
}

}  // namespace weaver::capture
