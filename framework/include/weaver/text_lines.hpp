// What reading a tool's printed output needs: blanks trimmed, the first line
// that says something.
#pragma once

#include <string>
#include <string_view>

namespace weaver {

// `text` without leading and trailing spaces, tabs, CRs and LFs.
std::string_view trimmed(std::string_view text);

// The first non-blank line of `text`, trimmed; "" when there is none.
std::string first_line(std::string_view text);

}  // namespace weaver
