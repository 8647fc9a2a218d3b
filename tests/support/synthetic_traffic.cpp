#include "synthetic_traffic.hpp"

#include <algorithm>
#include <optional>

#include "packet_builder.hpp"

namespace weaver::testing {
namespace {

constexpr std::size_t kIpOffset = 14;
constexpr std::size_t kTransportOffset = kIpOffset + 20;

// splitmix64: fast, seedable, and the same stream on every machine.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double probability) { return probability > 0 && uniform() < probability; }

 private:
  std::uint64_t state_;
};

void store16(Bytes& frame, std::size_t at, std::uint16_t v) {
  frame[at] = static_cast<std::uint8_t>(v >> 8);
  frame[at + 1] = static_cast<std::uint8_t>(v);
}

void store32(Bytes& frame, std::size_t at, std::uint32_t v) {
  store16(frame, at, static_cast<std::uint16_t>(v >> 16));
  store16(frame, at + 2, static_cast<std::uint16_t>(v));
}

// Frames for packet number i, patched into a template rather than rebuilt.
class FrameFactory {
 public:
  FrameFactory(const SyntheticTraffic& traffic, bool vif_side) : payload_id_(traffic.payload_id) {
    PacketSpec spec;
    if (payload_id_) {
      spec.transport = Transport::udp;
      spec.destination_port = 5001;
      spec.payload.assign(24, 0);
    }
    if (vif_side) {  // what a routed hop leaves: new MACs, TTL - 1, no padding
      spec.source_mac = 0x02000000aa01;
      spec.destination_mac = 0x02000000bb02;
      spec.ttl = 63;
      spec.pad_to = 0;
    }
    template_ = build_ethernet_frame(spec);
    ip_length_ = template_[kIpOffset + 2] << 8 | template_[kIpOffset + 3];
  }

  const Bytes& frame(std::uint64_t index) {
    store16(template_, kIpOffset + 4, static_cast<std::uint16_t>(index));
    store16(template_, kIpOffset + 10, 0);
    store16(template_, kIpOffset + 10, internet_checksum(&template_[kIpOffset], 20));
    if (payload_id_) {
      const std::size_t payload = kTransportOffset + 8;
      store32(template_, payload, 0x57565231);  // "WVR1"
      store32(template_, payload + 4, 7);        // run id
      store32(template_, payload + 8, static_cast<std::uint32_t>(index >> 32));
      store32(template_, payload + 12, static_cast<std::uint32_t>(index));
      return template_;  // UDP checksum left 0 (none), as IPv4 allows
    }
    store32(template_, kTransportOffset + 4, static_cast<std::uint32_t>(index * 2654435761u));
    store16(template_, kTransportOffset + 16, 0);
    std::uint32_t pseudo = 6 + static_cast<std::uint32_t>(ip_length_ - 20);
    for (std::size_t at = kIpOffset + 12; at < kIpOffset + 20; at += 2) {
      pseudo += static_cast<std::uint32_t>(template_[at] << 8 | template_[at + 1]);
    }
    store16(template_, kTransportOffset + 16,
            internet_checksum(&template_[kTransportOffset], ip_length_ - 20u, pseudo));
    return template_;
  }

 private:
  bool payload_id_;
  Bytes template_;
  std::size_t ip_length_ = 0;
};

}  // namespace

SyntheticTruth write_synthetic_captures(const SyntheticTraffic& traffic, const std::string& pif_path,
                                        const std::string& vif_path) {
  const CaptureFileSpec file{traffic.format};
  CaptureWriter pif(pif_path, file);
  CaptureWriter vif(vif_path, file);
  FrameFactory pif_frames(traffic, false);
  FrameFactory vif_frames(traffic, true);
  Random random(traffic.seed);
  SyntheticTruth truth;
  double delay_sum = 0;
  std::uint64_t delivered = 0;

  const auto spacing = static_cast<std::int64_t>(1e9 / traffic.rate_pps);
  const std::int64_t start_ns = 1'700'000'000'000'000'000;
  const std::int64_t span = traffic.max_delay_ns - traffic.min_delay_ns;
  auto delay = traffic.min_delay_ns + static_cast<std::int64_t>(random.uniform() * static_cast<double>(span));

  auto deliver = [&](std::int64_t at, std::uint64_t index, std::int64_t sent) {
    vif.write(at, vif_frames.frame(index));
    ++truth.vif_packets;
    const std::int64_t d = at - sent;
    truth.min_delay_ns = delivered == 0 ? d : std::min(truth.min_delay_ns, d);
    truth.max_delay_ns = delivered == 0 ? d : std::max(truth.max_delay_ns, d);
    delay_sum += static_cast<double>(d);
    ++delivered;
    if (random.chance(traffic.duplicate)) {
      vif.write(at + 1, vif_frames.frame(index));
      ++truth.vif_packets;
      ++truth.duplicated;
    }
  };

  struct Held {
    std::uint64_t index;
    std::int64_t sent;
    std::int64_t slot;
  };
  std::optional<Held> held;  // waits to swap places with the next delivered packet
  for (std::uint64_t i = 0; i < traffic.packets; ++i) {
    const std::int64_t sent = start_ns + static_cast<std::int64_t>(i) * spacing;
    pif.write(sent, pif_frames.frame(i));
    ++truth.pif_packets;
    const auto step = static_cast<std::int64_t>((random.uniform() - 0.5) * static_cast<double>(spacing));
    delay = std::clamp(delay + step, traffic.min_delay_ns, traffic.max_delay_ns);
    if (random.chance(traffic.loss)) {
      ++truth.lost;
      if (held) {  // nothing overtakes it: it leaves in its own slot
        deliver(held->slot, held->index, held->sent);
        held.reset();
      }
      continue;
    }
    const std::int64_t slot = sent + delay;
    if (held) {  // this packet overtakes the held one
      deliver(held->slot, i, sent);
      deliver(slot, held->index, held->sent);
      ++truth.reordered;
      held.reset();
    } else if (delay >= spacing && i + 1 < traffic.packets && random.chance(traffic.reorder)) {
      held = Held{i, sent, slot};
    } else {
      deliver(slot, i, sent);
    }
  }
  if (held) deliver(held->slot, held->index, held->sent);
  pif.close();
  vif.close();
  truth.mean_delay_ns = delivered == 0 ? 0 : delay_sum / static_cast<double>(delivered);
  return truth;
}

}  // namespace weaver::testing
