#include "weaver/capture/payload_id.hpp"

#include <cstring>

#include "byte_order.hpp"

namespace weaver::capture {
namespace {

void store_be(std::uint64_t value, int bytes, std::uint8_t* out) {
  for (int i = bytes - 1; i >= 0; --i) {
    out[i] = static_cast<std::uint8_t>(value);
    value >>= 8;
  }
}

std::uint64_t load_u64_be(const std::uint8_t* p) {
  return (std::uint64_t{load_u32_be(p)} << 32) | load_u32_be(p + 4);
}

}  // namespace

std::optional<PayloadId> read_payload_id(std::span<const std::uint8_t> payload) {
  if (payload.size() < kPayloadIdSize || load_u32_be(payload.data()) != kPayloadIdMagic) {
    return std::nullopt;
  }
  const std::uint64_t send_time =
      payload.size() >= kPayloadIdWithTimeSize ? load_u64_be(payload.data() + 16) : 0;
  return PayloadId{load_u32_be(payload.data() + 4), load_u64_be(payload.data() + 8), send_time};
}

void write_payload_id(const PayloadId& id, std::span<std::uint8_t> payload) {
  if (payload.size() < kPayloadIdSize) return;
  store_be(kPayloadIdMagic, 4, payload.data());
  store_be(id.run_id, 4, payload.data() + 4);
  store_be(id.sequence, 8, payload.data() + 8);
  if (payload.size() >= kPayloadIdWithTimeSize) store_be(id.send_time_ns, 8, payload.data() + 16);
}

}  // namespace weaver::capture
