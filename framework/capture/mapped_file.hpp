// Read-only memory map of a whole file (RAII over the descriptor and the mapping).
// A file that shrinks while mapped (a capture rotated or truncated under the
// reader) would end the process with SIGBUS on the next read past its new
// end; instead the pages past it read as zeros and changed() says so, and the
// readers then refuse the file by name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace weaver::capture {

class MappedFile {
 public:
  // Throws InputError naming `path` when it cannot be opened or mapped.
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const std::uint8_t> bytes() const { return {data_, size_}; }
  std::size_t size() const { return size_; }
  // True once a read found the file shorter than when it was mapped.
  bool changed() const;
  // Throws InputError(path, "changed while being read") when changed().
  void check_unchanged(const std::string& path) const;

  // Tells the kernel the bytes before `offset` will not be read again, so
  // their pages leave this process's resident set: reading a capture of any
  // length keeps memory flat.
  void release_before(std::size_t offset) {
    if (offset >= released_ + kReleaseGranularity + kReleaseLag) release_pages_before(offset);
  }

 private:
  static constexpr std::size_t kReleaseGranularity = std::size_t{4} << 20;
  // A fault may map a whole large folio (up to 2 MiB) around the faulting
  // address; releasing only what lies this far behind the reader keeps
  // released pages from being mapped again.
  static constexpr std::size_t kReleaseLag = std::size_t{4} << 20;
  void release_pages_before(std::size_t offset);

  void unregister();

  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t released_ = 0;
  int slot_ = -1;  // in the SIGBUS handler's table of mappings
};

}  // namespace weaver::capture
