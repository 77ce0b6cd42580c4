// Base64 encoding and strict decoding.
#include "src/core/base64.h"

#include "src/core/error.h"

namespace deepnet {
namespace {
const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int value_of(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}
}  // namespace

std::string base64_encode(const std::string& in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    if (i < in.size()) {
        unsigned v = (unsigned char)in[i] << 16;
        if (i + 1 < in.size()) v |= (unsigned char)in[i + 1] << 8;
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::string base64_decode(const std::string& text) {
    DEEPNET_USER_CHECK(text.size() % 4 == 0, "base64 text of length " << text.size()
                                                                      << " is not a multiple of 4");
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (size_t i = 0; i < text.size(); i += 4) {
        int v[4];
        for (int k = 0; k < 4; ++k) {
            const char c = text[i + k];
            const bool pad_ok = c == '=' && i + 4 == text.size() && k >= 2 && (k == 3 || text[i + 3] == '=');
            v[k] = pad_ok ? 0 : value_of(c);
            DEEPNET_USER_CHECK(v[k] >= 0, "invalid base64 character at offset " << i + k);
        }
        const unsigned w = unsigned(v[0]) << 18 | unsigned(v[1]) << 12 | unsigned(v[2]) << 6 | unsigned(v[3]);
        out += char(w >> 16);
        if (text[i + 2] != '=') out += char((w >> 8) & 255);
        if (text[i + 3] != '=') out += char(w & 255);
    }
    return out;
}

}  // namespace deepnet
