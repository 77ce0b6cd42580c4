// Base64 (RFC 4648, with padding): binary blobs such as the SentencePiece model inside the
// string-only safetensors metadata.
#pragma once

#include <string>

namespace deepnet {

std::string base64_encode(const std::string& bytes);
// Throws UserError on characters outside the alphabet or a bad length.
std::string base64_decode(const std::string& text);

}  // namespace deepnet
