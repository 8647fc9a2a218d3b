// The adapters behind make_vif_resolver, one per file.
#pragma once

#include <memory>

#include "weaver/hypervisor/vif_resolver.hpp"

namespace weaver::hypervisor {

std::unique_ptr<VifResolver> make_xenserver_resolver();
std::unique_ptr<VifResolver> make_xl_resolver();
std::unique_ptr<VifResolver> make_libvirt_resolver();
std::unique_ptr<VifResolver> make_lab_resolver();

}  // namespace weaver::hypervisor
