// Move-only owners of libssh's C handles, one type per handle, each with get().
// Private: only the remote library's .cpp files see libssh.
#pragma once

#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <utility>

namespace weaver::remote {

template <typename Handle, void (*Free)(Handle)>
class CHandle {
 public:
  CHandle() = default;
  explicit CHandle(Handle handle) : handle_(handle) {}
  ~CHandle() { reset(); }
  CHandle(CHandle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  CHandle& operator=(CHandle&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  CHandle(const CHandle&) = delete;
  CHandle& operator=(const CHandle&) = delete;

  Handle get() const { return handle_; }
  explicit operator bool() const { return handle_ != nullptr; }
  void reset() {
    if (handle_ != nullptr) Free(std::exchange(handle_, nullptr));
  }

 private:
  Handle handle_ = nullptr;
};

namespace detail {
inline void free_session(ssh_session session) {
  if (ssh_is_connected(session) != 0) ssh_disconnect(session);
  ssh_free(session);
}
inline void free_channel(ssh_channel channel) {
  // ssh_channel_free sends our close if the channel is still open.
  ssh_channel_free(channel);
}
inline void close_sftp_file(sftp_file file) { sftp_close(file); }
inline void free_string_char(char* text) { ssh_string_free_char(text); }
}  // namespace detail

using SshSession = CHandle<ssh_session, detail::free_session>;
using SshChannel = CHandle<ssh_channel, detail::free_channel>;
using SftpSession = CHandle<sftp_session, sftp_free>;
using SftpFile = CHandle<sftp_file, detail::close_sftp_file>;
using SshKey = CHandle<ssh_key, ssh_key_free>;
using SshCString = CHandle<char*, detail::free_string_char>;

}  // namespace weaver::remote
