#pragma once

#include <string>

namespace weaver::lab {

// weaver-forwarder is installed beside the weaver executable; WEAVER_FORWARDER
// overrides (tests, other layouts). Empty when not found.
std::string forwarder_path();

}  // namespace weaver::lab
