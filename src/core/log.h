// Logging: timestamped lines on stderr (Marian style "[2026-11-27 22:40:01] text").
// The only global in the project: the quiet flag.
#pragma once

#include <string>

namespace deepnet::log {

void set_quiet(bool quiet);
bool quiet();
void info(const std::string& line);     // suppressed by --quiet
void warn(const std::string& line);     // always printed, prefixed "[warn]"

}  // namespace deepnet::log
