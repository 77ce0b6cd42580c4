// The text of `deepnet eval` as sacreBLEU 2.x's command line reads it (sacrebleu.py main()):
//   - every reference and hypothesis line loses its trailing whitespace (`line.rstrip()`,
//     Python's str.isspace(): space, tab, CR, U+00A0, U+3000, ...); leading whitespace stays.
//     A whitespace-only reference line is therefore empty, i.e. "no reference here";
//   - files split at '\n' only (open(newline="\n")): a CR inside a line is text;
//   - standard input is read with universal newlines (io.TextIOWrapper's default), so
//     '\r', "\r\n" and '\n' all end a line there, and it carries one system per
//     tab-separated column: the first line's field count fixes the number of systems,
//     the systems are named "System 1", "System 2", ... ("Baseline", "System 1", ... for
//     paired tests), and only the fields of later lines are rstripped one by one.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace deepnet::eval {

// line.rstrip(); `where` names the line in the invalid-UTF-8 error.
std::string rstrip_line(const std::string& line, const std::string& where);

// The lines of text read with universal newlines, without their terminators; text that
// ends without a terminator still gives its last line, and "" gives no line.
std::vector<std::string> split_universal_newlines(const std::string& text);

// The systems on standard input ([system][segment]), from its whole text. No input at all
// is one system with one empty hypothesis (readline() returns ""), as in sacreBLEU. A
// line whose field count differs from the first line's is a UserError naming both.
std::vector<std::vector<std::string>> stdin_systems(const std::string& text);

// sacreBLEU's names for the systems of standard input.
std::vector<std::string> stdin_system_names(std::size_t count, bool paired);

}  // namespace deepnet::eval
