// RAII over libpcap's handles; only the .cpp files that use them see pcap.h
// (packet_filter.cpp here, and weaver-agent's live capture).
#pragma once

#include <pcap/pcap.h>

#include <utility>

namespace weaver::capture {

class PcapHandle {
 public:
  explicit PcapHandle(pcap_t* handle) : handle_(handle) {}
  ~PcapHandle() {
    if (handle_ != nullptr) pcap_close(handle_);
  }
  PcapHandle(PcapHandle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  PcapHandle& operator=(PcapHandle&& other) noexcept {
    std::swap(handle_, other.handle_);
    return *this;
  }
  PcapHandle(const PcapHandle&) = delete;
  PcapHandle& operator=(const PcapHandle&) = delete;
  pcap_t* get() const { return handle_; }

 private:
  pcap_t* handle_;
};

class BpfProgram {
 public:
  BpfProgram() = default;
  ~BpfProgram() { pcap_freecode(&program_); }
  BpfProgram(BpfProgram&& other) noexcept : program_(std::exchange(other.program_, {})) {}
  BpfProgram& operator=(BpfProgram&& other) noexcept {
    std::swap(program_, other.program_);
    return *this;
  }
  BpfProgram(const BpfProgram&) = delete;
  BpfProgram& operator=(const BpfProgram&) = delete;
  bpf_program* get() { return &program_; }

 private:
  bpf_program program_{};
};

// A savefile being written (pcap_dump_open); closing flushes it.
class PcapDumper {
 public:
  explicit PcapDumper(pcap_dumper_t* dumper) : dumper_(dumper) {}
  ~PcapDumper() { close(); }
  PcapDumper(PcapDumper&& other) noexcept : dumper_(std::exchange(other.dumper_, nullptr)) {}
  PcapDumper& operator=(PcapDumper&& other) noexcept {
    std::swap(dumper_, other.dumper_);
    return *this;
  }
  PcapDumper(const PcapDumper&) = delete;
  PcapDumper& operator=(const PcapDumper&) = delete;
  pcap_dumper_t* get() const { return dumper_; }
  void close() {
    if (dumper_ != nullptr) pcap_dump_close(std::exchange(dumper_, nullptr));
  }

 private:
  pcap_dumper_t* dumper_;
};

}  // namespace weaver::capture
