// Runs a built program (the weaver binary) to completion with its stdout and
// stderr in files, for the unit tests that check a command as a user runs it.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace weaver::testing {

struct ProgramOutcome {
  int exit_code = -1;  // 128 + signal when killed by one
  std::string out;
  std::string err;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// argv[0] is the program's path; its output goes through `out_file` and `err_file`.
inline ProgramOutcome run_program(std::vector<std::string> args, const std::string& out_file,
                                  const std::string& err_file) {
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ProgramOutcome run;
  if (spawned != 0) {
    ADD_FAILURE() << "cannot run " << args.front();
    return run;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.out = read_text(out_file);
  run.err = read_text(err_file);
  return run;
}

}  // namespace weaver::testing
