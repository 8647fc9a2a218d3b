// A child process of weaver: fork/exec in its own process group, killed should
// weaver die (PR_SET_PDEATHSIG), output read from pipes, exit seen via pidfd.
#pragma once

#include <boost/asio/strand.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>

#include "deadline.hpp"
#include "weaver/remote/executor.hpp"

namespace weaver::remote {

using LocalStrand = asio::strand<asio::io_context::executor_type>;

std::unique_ptr<Process> start_local_process(const LocalStrand& strand, const std::string& where,
                                             std::vector<std::string> argv, Command command);
int signal_number(const std::string& where, const std::string& signal_name);

}  // namespace weaver::remote
