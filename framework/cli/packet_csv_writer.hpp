// Writes one row per matched packet (pif_ns,vif_ns,delta_ns). Rows go to a
// temporary file beside the target, renamed into place only by commit(), so a
// failed analysis never leaves a partial file under the requested name.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include "weaver/analysis/latency_result.hpp"

namespace weaver::cli {

class PacketCsvWriter {
 public:
  explicit PacketCsvWriter(std::string path);  // throws UsageError if it cannot be created
  ~PacketCsvWriter();                          // removes the temporary file unless committed
  PacketCsvWriter(const PacketCsvWriter&) = delete;
  PacketCsvWriter& operator=(const PacketCsvWriter&) = delete;

  void write(const analysis::MatchedPacket& packet);
  void commit();

 private:
  void append(std::int64_t value, char separator);
  void flush();

  std::string path_;
  std::string temporary_path_;
  std::ofstream out_;
  std::vector<char> buffer_;
  bool committed_ = false;
};

}  // namespace weaver::cli
