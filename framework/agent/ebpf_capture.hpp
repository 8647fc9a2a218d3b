// One in-kernel measurement (ebpf/weaver_probes.bpf.c) between two interfaces
// of the agent's network namespace: loaded and attached at construction,
// detached and read out by finish(). No packet reaches user space; with
// records, each matched packet's two stamps do, through a ring buffer.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "weaver/agent/agent_protocol.hpp"
#include "weaver/analysis/latency_result.hpp"
#include "weaver/capture/match_key.hpp"

struct weaver_probes;
struct ring_buffer;

namespace weaver::agent {

struct EbpfFlow {
  std::string protocol;  // "tcp", "udp" or "icmp"
  std::vector<std::string> sources;
  std::string destination;
};

struct EbpfSettings {
  std::string first;   // the interface packets reach first (receive)
  std::string second;  // and leave through (transmit)
  EbpfFlow flow;
  capture::KeyKind key = capture::KeyKind::automatic;
  std::string records_file;  // empty: no per-packet records
  std::string btf_path = "/sys/kernel/btf/vmlinux";
};

struct EbpfResult {
  analysis::LatencyResult latency;  // pif = the first side, as the agent's analysis has it
  ProbeSummary summary;
};

class EbpfCapture {
 public:
  // Throws weaver::Error with one line saying why the probes cannot run here
  // (no BTF, no permission, an interface that does not exist, the verifier).
  explicit EbpfCapture(const EbpfSettings& settings);
  ~EbpfCapture();
  EbpfCapture(const EbpfCapture&) = delete;
  EbpfCapture& operator=(const EbpfCapture&) = delete;

  // The records ring's descriptor, to poll (-1 without records).
  int records_fd() const;
  // Moves waiting records to the records file.
  void read_records();

  // Detaches the probes, then reads everything they counted.
  EbpfResult finish();

 private:
  struct ProbesDeleter {
    void operator()(weaver_probes* probes) const;
  };
  struct RingDeleter {
    void operator()(ring_buffer* ring) const;
  };

  EbpfSettings settings_;
  std::unique_ptr<weaver_probes, ProbesDeleter> probes_;
  std::unique_ptr<ring_buffer, RingDeleter> ring_;
  int records_out_ = -1;
  std::uint64_t records_written_ = 0;
  std::string records_buffer_;
};

}  // namespace weaver::agent
