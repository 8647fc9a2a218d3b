// The traffic generator's error: one line naming what failed and where
// (interface, destination, option). Bad options are weaver::UsageError.
#pragma once

#include "weaver/error.hpp"

namespace weaver::traffic {

class TrafficError : public Error {
 public:
  using Error::Error;
};

}  // namespace weaver::traffic
