// UTF-8 validation shared by the text reader, stdin input and the option parser: no
// overlong forms, no surrogates, nothing above U+10FFFF. (The safetensors JSON code keeps
// its own per-sequence check, the same rules, because its parser steps by sequence.)
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace deepnet {

// Byte offset of the first invalid UTF-8 sequence in `text`, or nullopt when it is valid.
std::optional<size_t> find_invalid_utf8(std::string_view text);

}  // namespace deepnet
