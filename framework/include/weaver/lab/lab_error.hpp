// The lab's setup and teardown failures: one line naming the object (namespace,
// link, tool, file) and what went wrong. The CLI maps it to exit code 1.
#pragma once

#include "weaver/error.hpp"

namespace weaver::lab {

class LabError : public Error {
 public:
  using Error::Error;
};

}  // namespace weaver::lab
