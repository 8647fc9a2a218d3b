// What weaver was built from, for the results' context.
#pragma once

namespace weaver::cli {

// `git describe --always --dirty` of the source tree at build time, or "unknown".
extern const char* const kGitRevision;

}  // namespace weaver::cli
