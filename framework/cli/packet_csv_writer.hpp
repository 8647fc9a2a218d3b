// Writes one row per matched packet (pif_ns,vif_ns,delta_ns). Rows go to a
// new temporary file beside the target (created exclusively, so no link is
// followed), renamed into place only by commit(), so a failed analysis never
// leaves a partial file under the requested name. The target must be a new
// file or a regular one, and not one of the inputs: a device node, a FIFO, a
// link or a capture being read is never replaced.
#pragma once

#include <string>
#include <vector>

#include "weaver/analysis/latency_result.hpp"

namespace weaver::cli {

class PacketCsvWriter {
 public:
  // Throws UsageError naming `path` when it may not or cannot be written.
  PacketCsvWriter(std::string path, const std::vector<std::string>& inputs);
  ~PacketCsvWriter();  // removes the temporary file unless committed
  PacketCsvWriter(const PacketCsvWriter&) = delete;
  PacketCsvWriter& operator=(const PacketCsvWriter&) = delete;

  void write(const analysis::MatchedPacket& packet);
  void commit();

 private:
  void append(std::int64_t value, char separator);
  void flush();

  std::string path_;
  std::string temporary_path_;
  int fd_ = -1;
  std::vector<char> buffer_;
  bool committed_ = false;
};

}  // namespace weaver::cli
