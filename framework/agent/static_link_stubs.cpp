// weaver-agent links libpcap statically. Debian's libpcap.a carries D-Bus
// capture support, and its libdbus-1.a calls systemd's socket-activation
// functions, for which Debian ships no static library. The agent never opens
// a D-Bus capture, so these are never reached; they say "no sockets passed".
extern "C" {

int sd_listen_fds(int /*unset_environment*/) { return 0; }

int sd_is_socket(int /*fd*/, int /*family*/, int /*type*/, int /*listening*/) { return 0; }

}
