# One ctest test of a fuzz harness, run as `cmake -P run_fuzz_test.cmake`:
#   -DHARNESS=<executable>   libFuzzer binary (MODE=fuzz) or replay binary (MODE=replay)
#   -DMODE=fuzz|replay
#   -DSEEDS=<dir>            the generated seed corpus
#   -DREGRESSIONS=<glob>     saved crash inputs, replayed first (may match nothing)
#   -DWORK=<dir>             scratch: corpus copy, crash artifacts, and TMPDIR for the
#                            harness (capture_fuzzer's temporary file stays behind
#                            when it crashes)
#   -DFUZZ_ARGS=<;-list>     libFuzzer options (MODE=fuzz)
# Fails when the harness crashes, hits a sanitizer report or times out.
cmake_minimum_required(VERSION 3.25)

foreach(var HARNESS MODE SEEDS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_fuzz_test.cmake: -D${var}= is required")
  endif()
endforeach()
if(NOT IS_DIRECTORY "${SEEDS}")
  message(FATAL_ERROR "seed corpus ${SEEDS} is missing (the fuzz.seed_corpus test writes it)")
endif()

set(regressions "")
if(DEFINED REGRESSIONS AND NOT REGRESSIONS STREQUAL "")
  file(GLOB regressions LIST_DIRECTORIES false "${REGRESSIONS}")
  list(SORT regressions)
endif()

function(run_harness)
  string(JOIN " " shown ${ARGN})
  message(STATUS "${shown}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${HARNESS} failed (${result})")
  endif()
endfunction()

if(NOT DEFINED WORK)
  message(FATAL_ERROR "run_fuzz_test.cmake: -DWORK= is required")
endif()
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/tmp")
set(ENV{TMPDIR} "${WORK}/tmp")

if(MODE STREQUAL "replay")
  run_harness("${HARNESS}" "${SEEDS}" ${regressions})
elseif(MODE STREQUAL "fuzz")
  # libFuzzer adds what it finds to its first corpus directory: give it a
  # copy, so the generated seeds stay as they were written.
  file(MAKE_DIRECTORY "${WORK}/corpus" "${WORK}/artifacts")
  file(GLOB seeds LIST_DIRECTORIES false "${SEEDS}/*")
  file(COPY ${seeds} DESTINATION "${WORK}/corpus")
  if(regressions)
    # Given files rather than directories, libFuzzer runs each once.
    run_harness("${HARNESS}" "-artifact_prefix=${WORK}/artifacts/" ${regressions})
  endif()
  run_harness("${HARNESS}" ${FUZZ_ARGS} "-artifact_prefix=${WORK}/artifacts/" "${WORK}/corpus")
else()
  message(FATAL_ERROR "run_fuzz_test.cmake: MODE must be fuzz or replay, not '${MODE}'")
endif()
