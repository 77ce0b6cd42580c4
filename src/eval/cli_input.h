// The text of `deepnet eval` as sacreBLEU 2.x's command line reads it (sacrebleu.py main()):
//   - every reference and hypothesis line loses its trailing whitespace (`line.rstrip()`,
//     Python's str.isspace(): space, tab, CR, U+00A0, U+3000, ...); leading whitespace stays.
//     A whitespace-only reference line is therefore empty, i.e. "no reference here";
//   - files split at '\n' only (open(newline="\n")): a CR inside a line is text;
//   - standard input is read with universal newlines (io.TextIOWrapper's default), so
//     '\r', "\r\n" and '\n' all end a line there, and it carries one system per
//     tab-separated column: the first line's field count fixes the number of systems,
//     the systems are named "System 1", "System 2", ... ("Baseline", "System 1", ... for
//     paired tests), and only the fields of later lines are rstripped one by one;
//   - files and standard input are decoded as plain UTF-8 (`encoding='utf-8'`, not
//     'utf-8-sig'), so a byte order mark is text: U+FEFF stays at the start of the first
//     line, glued to its first word (the project's TextReader drops it for training data;
//     eval reads its files itself, see read_cli_file);
//   - with -nr/--num-refs N (N != 1) the one reference file holds N tab-separated
//     references per line (split_tab_references).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
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

// The lines of a reference or hypothesis file as smart_open(file) gives them (open(...,
// encoding='utf-8', newline="\n")): split at '\n' only, a last line without '\n' kept,
// nothing for an empty file, and a leading byte order mark kept as U+FEFF. Each line is
// then rstrip()ped (rstrip_line). A gzip file is decompressed whatever its name (sacreBLEU
// only opens names ending in .gz that way). UserError naming file and line for a NUL byte,
// invalid UTF-8 or a line over 16 MiB; naming the file when it cannot be read.
std::vector<std::string> read_cli_file(const std::string& path);

// sacrebleu.py's reading of a reference file under -nr/--num-refs N (N != 1), from its
// rstrip()ped lines: line.split('\t', maxsplit=N - 1) must give N fields (else a UserError
// with sacreBLEU's text "line L: expected N fields, but found K."; its exit status is 17),
// field r going to reference stream r. The fields are not stripped again, and an empty one
// is "no reference here" as an empty line of a reference file is. max(1, N) streams; for
// N < 1 Python's split has no limit, so no line can match.
std::vector<std::vector<std::string>> split_tab_references(const std::vector<std::string>& lines,
                                                           int64_t num_refs, const std::string& path);

// The output format SACREBLEU_FORMAT asks for: its value lower-cased when it is "json",
// "text" or "latex", else nothing (sacreBLEU ignores other values). sacreBLEU lets a valid
// value override -f/--format, even an explicit one.
std::optional<std::string> format_from_env();

}  // namespace deepnet::eval
