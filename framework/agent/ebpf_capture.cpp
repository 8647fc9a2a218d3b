#include "ebpf_capture.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdarg>
#include <cstring>
#include <fstream>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "weaver/error.hpp"
#include "kernel_names.hpp"
#include "weaver/output_file.hpp"

extern "C" {
#include "ebpf/probe_maps.h"
}
#include "weaver_probes.skel.h"

namespace weaver::agent {
namespace {

// libbpf's own messages (the verifier's log among them): the last warning
// explains a failed load, so it is kept for the error line, never printed.
std::string& last_libbpf_message() {
  static std::string message;
  return message;
}

int keep_libbpf_message(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char line[512];
  std::vsnprintf(line, sizeof line, format, args);
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (!text.empty()) last_libbpf_message() = text;
  return 0;
}

[[noreturn]] void refuse(const std::string& what, int error) {
  std::string line = "ebpf: " + what + ": " + std::strerror(error);
  if (error == EPERM) line += " (the probes need root, or CAP_BPF and CAP_PERFMON)";
  else if (!last_libbpf_message().empty()) line += " (" + last_libbpf_message() + ")";
  throw Error(line);
}

std::uint32_t ifindex_of(const std::string& name) {
  const unsigned index = ::if_nametoindex(name.c_str());
  if (index == 0) throw Error("ebpf: interface '" + name + "' does not exist in the agent's network namespace");
  return index;
}

std::uint32_t own_netns_inode() {
  struct stat status {};
  if (::stat("/proc/self/ns/net", &status) != 0) {
    throw Error(std::string("ebpf: /proc/self/ns/net: ") + std::strerror(errno));
  }
  return static_cast<std::uint32_t>(status.st_ino);
}

// An address as the probes hold it: its bytes as two little-endian words.
void address_words(const std::string& text, int version, wv_u64 (&out)[2]) {
  std::uint8_t bytes[16] = {};
  if (::inet_pton(version == 4 ? AF_INET : AF_INET6, text.c_str(), bytes) != 1) {
    throw Error("ebpf: flow address '" + text + "' is not an IPv" + std::to_string(version) + " address");
  }
  for (int word = 0; word < 2; ++word) {
    out[word] = 0;
    for (int i = 0; i < 8; ++i) out[word] |= wv_u64{bytes[word * 8 + i]} << (8 * i);
  }
}

wv_flow make_flow(const EbpfFlow& flow) {
  wv_flow out{};
  if (flow.sources.empty() || flow.sources.size() > WV_MAX_SOURCES) {
    throw Error("ebpf: a flow has 1 to " + std::to_string(WV_MAX_SOURCES) + " sources");
  }
  out.ip_version = flow.destination.find(':') == std::string::npos ? 4 : 6;
  if (flow.protocol == "tcp") out.protocol = 6;
  else if (flow.protocol == "udp") out.protocol = 17;
  else if (flow.protocol == "icmp") out.protocol = out.ip_version == 4 ? 1 : 58;
  else throw Error("ebpf: flow protocol '" + flow.protocol + "' is not tcp, udp or icmp");
  address_words(flow.destination, out.ip_version, out.destination);
  out.source_count = static_cast<wv_u8>(flow.sources.size());
  for (std::size_t i = 0; i < flow.sources.size(); ++i) address_words(flow.sources[i], out.ip_version, out.sources[i]);
  return out;
}

void append_number(std::string& out, std::int64_t value, char separator) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits - 1, value).ptr;
  out.append(digits, end);
  out.push_back(separator);
}

// One ring record as a line of the records file (the columns of weaver
// analyze --packets, with the first side as "pif").
int on_record(void* context, void* data, std::size_t size) {
  if (size < sizeof(wv_record)) return 0;
  wv_record record;
  std::memcpy(&record, data, sizeof record);
  auto& out = *static_cast<std::string*>(context);
  append_number(out, static_cast<std::int64_t>(record.first_ns), ',');
  append_number(out, static_cast<std::int64_t>(record.second_ns), ',');
  append_number(out, static_cast<std::int64_t>(record.second_ns - record.first_ns), '\n');
  return 0;
}

analysis::CaptureCounts side_counts(const std::string& interface, const wv_u64* counters, bool second) {
  auto at = [&](int first_counter) { return counters[first_counter + (second ? 1 : 0)]; };
  analysis::CaptureCounts counts;
  counts.path = "ebpf:" + interface;
  counts.format = "ebpf";
  counts.keyed = second ? counters[WV_SECOND_PACKETS] : counters[WV_FIRST_PACKETS];
  counts.unkeyed = at(WV_FIRST_UNKEYED) + at(WV_FIRST_NOT_LINEAR);
  counts.malformed = at(WV_FIRST_MALFORMED);
  counts.packets = counts.keyed + counts.unkeyed + counts.malformed;
  counts.payload_id_keys = at(WV_FIRST_PAYLOAD_ID_KEYS);
  counts.hash_keys = at(WV_FIRST_HASH_KEYS);
  counts.duplicates = second ? 0 : counters[WV_FIRST_DUPLICATES];
  return counts;
}

}  // namespace

void EbpfCapture::ProbesDeleter::operator()(weaver_probes* probes) const { weaver_probes__destroy(probes); }
void EbpfCapture::RingDeleter::operator()(ring_buffer* ring) const { ring_buffer__free(ring); }

EbpfCapture::EbpfCapture(const EbpfSettings& settings) : settings_(settings) {
  struct stat btf {};
  if (::stat(settings.btf_path.c_str(), &btf) != 0 || ::access(settings.btf_path.c_str(), R_OK) != 0) {
    throw Error("ebpf: this kernel has no BTF (" + settings.btf_path + ": " + std::strerror(errno) +
                "); the probes need CONFIG_DEBUG_INFO_BTF");
  }
  // Never a FIFO or a device: reading it must not block the agent.
  if (!S_ISREG(btf.st_mode)) throw Error("ebpf: BTF " + settings.btf_path + " is not a regular file");
  const wv_flow flow = make_flow(settings.flow);
  const std::uint32_t first = ifindex_of(settings.first);
  const std::uint32_t second = ifindex_of(settings.second);
  libbpf_set_print(keep_libbpf_message);
  last_libbpf_message().clear();
  LIBBPF_OPTS(bpf_object_open_opts, options, .btf_custom_path = settings.btf_path.c_str());
  probes_.reset(weaver_probes__open_opts(&options));
  if (!probes_) refuse("opening the probes", errno);
  probes_->rodata->first_ifindex = first;
  probes_->rodata->second_ifindex = second;
  probes_->rodata->netns_inode = own_netns_inode();
  probes_->rodata->key_kind = static_cast<std::uint32_t>(settings.key);
  probes_->rodata->keep_records = settings.records_file.empty() ? 0 : 1;
  std::memcpy(const_cast<wv_flow*>(&probes_->rodata->flow), &flow, sizeof flow);
  if (settings.records_file.empty()) bpf_map__set_max_entries(probes_->maps.records, 4096);
  if (const int error = weaver_probes__load(probes_.get()); error != 0) refuse("loading the probes", -error);
  if (const int error = weaver_probes__attach(probes_.get()); error != 0) refuse("attaching the probes", -error);
  if (!settings.records_file.empty()) {
    ring_.reset(ring_buffer__new(bpf_map__fd(probes_->maps.records), on_record, &records_buffer_, nullptr));
    if (!ring_) refuse("opening the records ring", errno);
    records_out_ = ::open(settings.records_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (records_out_ < 0) refuse("creating " + settings.records_file, errno);
    records_buffer_ = "pif_ns,vif_ns,delta_ns\n";
  }
}

EbpfCapture::~EbpfCapture() {
  ring_.reset();
  probes_.reset();
  if (records_out_ >= 0) ::close(records_out_);
}

int EbpfCapture::records_fd() const { return ring_ ? ring_buffer__epoll_fd(ring_.get()) : -1; }

void EbpfCapture::read_records() {
  if (!ring_) return;
  const int consumed = ring_buffer__consume(ring_.get());
  if (consumed > 0) records_written_ += static_cast<std::uint64_t>(consumed);
  if (!records_buffer_.empty()) {
    if (const int error = write_all(records_out_, records_buffer_); error != 0) {
      throw Error("ebpf: writing " + settings_.records_file + ": " + std::strerror(error));
    }
    records_buffer_.clear();
  }
}

EbpfResult EbpfCapture::finish() {
  // Detached first: nothing changes while it is read.
  weaver_probes__detach(probes_.get());
  std::uint64_t missed = 0;
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, probes_->obj) {
    bpf_prog_info info{};
    std::uint32_t length = sizeof info;
    if (bpf_obj_get_info_by_fd(bpf_program__fd(program), &info, &length) == 0) missed += info.recursion_misses;
  }
  read_records();
  const int cpus = std::max(libbpf_num_possible_cpus(), 1);
  const wv_u32 zero = 0;
  std::vector<wv_counters> counters_per_cpu(static_cast<std::size_t>(cpus));
  if (bpf_map_lookup_elem(bpf_map__fd(probes_->maps.counters), &zero, counters_per_cpu.data()) != 0) {
    refuse("reading the counters", errno);
  }
  wv_u64 counters[WV_COUNTERS] = {};
  for (const wv_counters& mine : counters_per_cpu) {
    for (int i = 0; i < WV_COUNTERS; ++i) counters[i] += mine.values[i];
  }
  EbpfResult result;
  analysis::LatencyResult& latency = result.latency;
  latency.key = settings_.key;
  latency.window_ns = 0;  // matched in the kernel, without a window
  latency.pif = side_counts(settings_.first, counters, false);
  latency.vif = side_counts(settings_.second, counters, true);
  latency.matched = counters[WV_MATCHED];
  latency.vif_only = counters[WV_SECOND_ONLY];
  latency.reordered = counters[WV_REORDERED];
  latency.negative = counters[WV_NEGATIVE];

  // Never reached the second side: freed by the kernel on the way (by
  // reason and place), or lost without a trace.
  std::uint64_t waiting = 0;
  std::map<std::pair<wv_u32, wv_u64>, std::uint64_t> sites;  // (reason, location) -> packets
  const int pending_fd = bpf_map__fd(probes_->maps.pending);
  wv_u64 key = 0;
  wv_u64 next = 0;
  for (void* at = nullptr; bpf_map_get_next_key(pending_fd, at, &next) == 0; at = &key) {
    ++waiting;
    key = next;
    wv_pending entry{};
    if (bpf_map_lookup_elem(pending_fd, &key, &entry) == 0 && entry.dropped != 0) {
      ++sites[{entry.drop_reason, entry.drop_location}];
    }
  }
  latency.pif_only = waiting;
  ToolLosses& tool = result.summary.tool;
  tool.map_full = counters[WV_MAP_FULL];
  tool.ring_full = counters[WV_RING_FULL];
  tool.not_linear = counters[WV_FIRST_NOT_LINEAR] + counters[WV_SECOND_NOT_LINEAR];
  tool.missed = missed;
  const std::uint64_t accounted = latency.matched + waiting;
  tool.evicted = counters[WV_FIRST_INSERTED] > accounted ? counters[WV_FIRST_INSERTED] - accounted : 0;

  std::vector<wv_moments> per_cpu(static_cast<std::size_t>(cpus));
  if (bpf_map_lookup_elem(bpf_map__fd(probes_->maps.moments), &zero, per_cpu.data()) != 0) {
    refuse("reading the moments", errno);
  }
  auto& moments = latency.moments;
  for (const wv_moments& m : per_cpu) {
    if (m.count == 0) continue;
    moments.count += m.count;
    moments.sum_ns += static_cast<std::int64_t>(m.sum_ns);
    using Int128 = analysis::DeltaMoments::Int128;
    moments.sum_squares += (static_cast<Int128>(m.sum_squares_high) << 64) | static_cast<Int128>(m.sum_squares_low);
    moments.min_ns = std::min(moments.min_ns, static_cast<std::int64_t>(m.min_ns));
    moments.max_ns = std::max(moments.max_ns, static_cast<std::int64_t>(m.max_ns));
    latency.first_matched_ns = std::min(latency.first_matched_ns, static_cast<std::int64_t>(m.first_matched_ns));
    latency.last_matched_ns = std::max(latency.last_matched_ns, static_cast<std::int64_t>(m.last_matched_ns));
  }
  // The sum of deltas wrapped in 64 bits per CPU: exact while below 2^63 ns.
  const wv_u64* buckets = probes_->bss->histogram;
  for (std::size_t i = 0; i < 2 * WV_BUCKETS; ++i) {
    if (buckets[i] == 0) continue;
    const bool negative = i >= WV_BUCKETS;
    const auto lower = static_cast<std::int64_t>(analysis::LatencyHistogram::bucket_lower(i % WV_BUCKETS));
    latency.histogram.record(negative ? -lower : lower, buckets[i]);
  }

  if (!sites.empty()) {
    const auto reasons = drop_reason_names(settings_.btf_path);
    std::vector<std::uint64_t> addresses;
    for (const auto& [place, count] : sites) addresses.push_back(place.second);
    const auto locations = symbolize(addresses);
    for (const auto& [place, count] : sites) {
      const auto named = reasons.find(place.first);
      const std::string reason = named != reasons.end() ? named->second : "REASON_" + std::to_string(place.first);
      result.summary.lost_by_reason[reason] += count;
      result.summary.drop_sites.push_back({reason, locations.at(place.second), count});
    }
    std::sort(result.summary.drop_sites.begin(), result.summary.drop_sites.end(),
              [](const DropSite& a, const DropSite& b) { return a.count > b.count; });
  }
  if (tool.total() > 0) {
    latency.warnings.push_back("the in-kernel probes lost " + std::to_string(tool.total()) +
                               " packets of their own (see tool_losses)");
  }
  result.summary.probe_ns = counters[WV_PROBE_NS];
  result.summary.records_file = settings_.records_file;
  result.summary.records = records_written_;
  return result;
}

}  // namespace weaver::agent
