// Logging: timestamped lines on stderr (Marian style "[2026-11-27 22:40:01] text").
// The only global in the project: the quiet flag.
#pragma once

#include <string>

namespace deepnet::log {

void set_quiet(bool quiet);
// Also append every line (quiet or not) to this file; "" = stop writing to a file.
void set_file(const std::string& path);
bool quiet();
void info(const std::string& line);     // suppressed by --quiet
void warn(const std::string& line);     // always printed, prefixed "[warn]"

}  // namespace deepnet::log
