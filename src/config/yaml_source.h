// Applying one YAML config file to resolved options, strictly: unknown keys, duplicate
// keys, wrong types, out-of-range values and syntax errors all throw UserError naming the
// key, the file and the 1-based line.
#pragma once

#include <string>

#include "src/config/resolved_options.h"

namespace deepnet {

void apply_config_file(ResolvedOptions& opts, const std::string& path);

}  // namespace deepnet
