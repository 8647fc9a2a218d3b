// A BPF filter expression (tcpdump syntax) applied to captured frames, for
// each link type the captures use.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "weaver/capture/capture_reader.hpp"

namespace weaver::capture {

class PacketFilter {
 public:
  // Throws UsageError when the expression does not compile.
  explicit PacketFilter(std::string expression);
  ~PacketFilter();
  PacketFilter(PacketFilter&&) noexcept;
  PacketFilter& operator=(PacketFilter&&) noexcept;

  bool accepts(const RawPacket& packet);
  const std::string& expression() const { return expression_; }

 private:
  struct Compiled;
  std::string expression_;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace weaver::capture
