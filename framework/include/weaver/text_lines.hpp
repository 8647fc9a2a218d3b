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

// `text` safe to print as one line on a terminal: control bytes (newline,
// CR, tab, NUL, ESC, DEL, ...) become \n, \r, \t or \xNN, and a backslash
// \\, so a value echoed in a message can neither break the line nor send
// escape sequences. Bytes from 0x80 up (UTF-8) pass as they are.
std::string printable(std::string_view text);

}  // namespace weaver
