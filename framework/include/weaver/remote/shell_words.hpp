// What reaches a remote shell: argv vectors quoted for POSIX sh, and checks of
// the names weaver puts into commands. Validators throw UsageError naming the
// field, so a bad name is refused before any command is built.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace weaver::remote {

// One POSIX-quoted word: 'it'\''s' for "it's". Empty strings become ''.
std::string shell_quote(std::string_view word);
// The argv joined into one command line for `sh -c`, every word quoted.
std::string shell_quote(const std::vector<std::string>& argv);

// A Linux interface name: 1..15 bytes (IFNAMSIZ - 1), letters, digits, '.', '-', '_',
// not "." or "..".
void validate_interface_name(std::string_view field, std::string_view name);
// A DNS name (labels of letters, digits, '-') or an IPv4/IPv6 address literal.
void validate_host(std::string_view field, std::string_view host);
// A hypervisor VM/instance name: 1..128 bytes of letters, digits, '.', '-', '_', ':'
// and not starting with '-' (so it is never read as an option).
void validate_vm_name(std::string_view field, std::string_view name);
// tcpdump arguments ending with the filter as one argument after "--", so the
// filter is never split by a shell nor read as an option.
std::vector<std::string> with_bpf_filter(std::vector<std::string> argv, std::string_view filter);

}  // namespace weaver::remote
