#include "mapped_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

#include "weaver/error.hpp"
#include "weaver/input_file.hpp"

namespace weaver::capture {
namespace {

// Closes the descriptor on every path out of the constructor; the mapping
// keeps the file alive after that.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// The mappings a SIGBUS may belong to. The handler reads them without locks:
// each slot's bounds are published with release stores before use.
struct MappingSlot {
  std::atomic<std::uintptr_t> begin{0};
  std::atomic<std::uintptr_t> end{0};
  std::atomic<bool> changed{false};
  std::atomic<bool> taken{false};
};
constexpr int kSlots = 64;
MappingSlot slots[kSlots];
struct sigaction previous_bus_action {};

// Backs the faulting page (and the rest of the mapping) with zeros and
// marks the mapping changed; a SIGBUS outside weaver's mappings is passed on.
void on_sigbus(int signal_number, siginfo_t* info, void* context) {
  const auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
  for (MappingSlot& slot : slots) {
    const std::uintptr_t begin = slot.begin.load(std::memory_order_acquire);
    const std::uintptr_t end = slot.end.load(std::memory_order_acquire);
    if (begin == 0 || address < begin || address >= end) continue;
    const std::uintptr_t page = address & ~(static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE)) - 1);
    if (::mmap(reinterpret_cast<void*>(page), end - page, PROT_READ, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1,
               0) != MAP_FAILED) {
      slot.changed.store(true, std::memory_order_release);
      return;
    }
  }
  if (previous_bus_action.sa_flags & SA_SIGINFO) {
    if (previous_bus_action.sa_sigaction != nullptr) previous_bus_action.sa_sigaction(signal_number, info, context);
    return;
  }
  ::signal(SIGBUS, previous_bus_action.sa_handler == SIG_IGN ? SIG_DFL : previous_bus_action.sa_handler);
  ::raise(SIGBUS);
}

void install_sigbus_handler() {
  static const bool installed = [] {
    struct sigaction action {};
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    return ::sigaction(SIGBUS, &action, &previous_bus_action) == 0;
  }();
  (void)installed;
}

int register_mapping(const std::uint8_t* data, std::size_t size) {
  install_sigbus_handler();
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (!slots[i].taken.compare_exchange_strong(expected, true)) continue;
    slots[i].changed.store(false, std::memory_order_relaxed);
    slots[i].end.store(reinterpret_cast<std::uintptr_t>(data) + size, std::memory_order_release);
    slots[i].begin.store(reinterpret_cast<std::uintptr_t>(data), std::memory_order_release);
    return i;
  }
  return -1;  // more files mapped at once than slots: this one is unprotected
}

}  // namespace

bool MappedFile::changed() const { return slot_ >= 0 && slots[slot_].changed.load(std::memory_order_acquire); }

void MappedFile::check_unchanged(const std::string& path) const {
  if (changed()) throw InputError(path, "the file changed (shrank) while being read; read a copy that stays still");
}

void MappedFile::unregister() {
  if (slot_ < 0) return;
  slots[slot_].begin.store(0, std::memory_order_release);
  slots[slot_].end.store(0, std::memory_order_release);
  slots[slot_].taken.store(false, std::memory_order_release);
  slot_ = -1;
}

MappedFile::MappedFile(const std::string& path) {
  FileDescriptor fd(open_regular_file(path, "capture"));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) throw InputError(path, std::strerror(errno));
  size_ = static_cast<std::size_t>(info.st_size);
  if (size_ == 0) return;
  void* mapping = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd.get(), 0);
  if (mapping == MAP_FAILED) throw InputError(path, std::string("mmap: ") + std::strerror(errno));
  ::madvise(mapping, size_, MADV_SEQUENTIAL);
  data_ = static_cast<const std::uint8_t*>(mapping);
  slot_ = register_mapping(data_, size_);
}

MappedFile::~MappedFile() {
  unregister();
  if (data_ != nullptr) ::munmap(const_cast<std::uint8_t*>(data_), size_);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      released_(std::exchange(other.released_, 0)),
      slot_(std::exchange(other.slot_, -1)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    unregister();
    if (data_ != nullptr) ::munmap(const_cast<std::uint8_t*>(data_), size_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    released_ = std::exchange(other.released_, 0);
    slot_ = std::exchange(other.slot_, -1);
  }
  return *this;
}

void MappedFile::release_pages_before(std::size_t offset) {
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t end = (offset - kReleaseLag) / page * page;
  if (end <= released_) return;
  ::madvise(const_cast<std::uint8_t*>(data_) + released_, end - released_, MADV_DONTNEED);
  released_ = end;
}

}  // namespace weaver::capture
