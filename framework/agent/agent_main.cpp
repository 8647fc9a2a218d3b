// weaver-agent: started by weaver over SSH, once per host and run, under
// `timeout`. It speaks weaver's line protocol on stdin/stdout (see
// weaver/agent/agent_protocol.hpp): captures with libpcap or measures in the
// kernel with eBPF, analyses in place, and runs commands without a shell. It
// ends with its stdin.
#include <stdlib.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "agent.hpp"

int main(int argc, char** argv) {
  long idle_seconds = 600;
  std::string btf = "/sys/kernel/btf/vmlinux";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--version") {
      std::printf("weaver-agent protocol %d\n", weaver::agent::kProtocolVersion);
      return 0;
    }
    if (arg == "--idle-timeout" && i + 1 < argc) {
      char* end = nullptr;
      idle_seconds = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || idle_seconds < 1 || idle_seconds > 86400) {
        std::fprintf(stderr, "weaver-agent: --idle-timeout '%s': give 1 to 86400 seconds\n", argv[i]);
        return 2;
      }
      continue;
    }
    if (arg == "--btf" && i + 1 < argc) {
      btf = argv[++i];
      continue;
    }
    std::fprintf(stderr,
                 "weaver-agent: unknown argument '%s' (usage: weaver-agent [--idle-timeout S] [--btf FILE])\n",
                 arg.c_str());
    return 2;
  }
  char folder[] = "/tmp/weaver-agent.XXXXXX";
  if (::mkdtemp(folder) == nullptr) {
    std::fprintf(stderr, "weaver-agent: cannot make a folder in /tmp: %s\n", std::strerror(errno));
    return 1;
  }
  try {
    weaver::agent::Agent agent(folder, std::chrono::seconds(idle_seconds), btf);
    return agent.run();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "weaver-agent: %s\n", error.what());
    return 1;
  }
}
