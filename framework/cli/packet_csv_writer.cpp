#include "packet_csv_writer.hpp"

#include <charconv>
#include <cstdio>
#include <system_error>

#include "weaver/error.hpp"

namespace weaver::cli {
namespace {

constexpr std::size_t kBufferSize = 1 << 20;
constexpr std::size_t kLongestField = 20;  // -9223372036854775808
constexpr std::size_t kLongestRow = 3 * (kLongestField + 1);

}  // namespace

PacketCsvWriter::PacketCsvWriter(std::string path)
    : path_(std::move(path)), temporary_path_(path_ + ".partial") {
  out_.open(temporary_path_, std::ios::binary | std::ios::trunc);
  if (!out_) throw UsageError("--packets " + path_ + ": cannot create the file");
  buffer_.reserve(kBufferSize);
  const std::string_view header = "pif_ns,vif_ns,delta_ns\n";
  buffer_.insert(buffer_.end(), header.begin(), header.end());
}

PacketCsvWriter::~PacketCsvWriter() {
  if (!committed_) {
    out_.close();
    std::remove(temporary_path_.c_str());
  }
}

void PacketCsvWriter::write(const analysis::MatchedPacket& packet) {
  if (buffer_.size() + kLongestRow > kBufferSize) flush();
  append(packet.pif_ns, ',');
  append(packet.vif_ns, ',');
  append(packet.delta_ns(), '\n');
}

void PacketCsvWriter::append(std::int64_t value, char separator) {
  char field[kLongestField + 1];
  char* end = std::to_chars(field, field + kLongestField, value).ptr;
  *end++ = separator;
  buffer_.insert(buffer_.end(), field, end);
}

void PacketCsvWriter::flush() {
  out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  buffer_.clear();
  if (!out_) throw Error("--packets " + path_ + ": write failed (disk full?)");
}

void PacketCsvWriter::commit() {
  flush();
  out_.close();
  if (!out_) throw Error("--packets " + path_ + ": write failed (disk full?)");
  if (std::rename(temporary_path_.c_str(), path_.c_str()) != 0) {
    throw Error("--packets " + path_ + ": cannot rename " + temporary_path_ + " into place");
  }
  committed_ = true;
}

}  // namespace weaver::cli
