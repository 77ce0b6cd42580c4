// Strict recursive-descent JSON reader and string writer for safetensors headers.
// Strict because a header is written by a program: anything unusual is corruption, and
// reporting it at its byte offset beats guessing what was meant.
#include "src/io/safetensors_json.h"

#include <unordered_set>

namespace deepnet::json {
namespace {

// The header only ever nests object > object > array; a small cap keeps a hostile
// "[[[[..." from overflowing the stack.
constexpr int kMaxDepth = 16;

// Length of the valid UTF-8 sequence starting at s[i], or 0 (overlong forms, surrogates
// and code points above U+10FFFF are invalid, as in Rust's str, which the reference uses).
size_t utf8_sequence_length(const std::string& s, size_t i) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = byte(i);
    if (c < 0x80) return 1;
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
    else return 0;
    if (i + len > s.size()) return 0;
    for (size_t k = 1; k < len; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
    if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
    return len;
}

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

class Parser {
public:
    explicit Parser(const std::string& text) : s_(text) {}

    Value parse_document() {
        skip_ws();
        Value v = parse_value(0);
        skip_ws();
        if (pos_ != s_.size()) fail("unexpected data after the JSON value");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw ParseError(static_cast<int64_t>(pos_), what);
    }
    [[noreturn]] void fail_at(size_t pos, const std::string& what) const {
        throw ParseError(static_cast<int64_t>(pos), what);
    }

    bool at_end() const { return pos_ >= s_.size(); }
    char peek() const { return at_end() ? '\0' : s_[pos_]; }

    void skip_ws() {
        while (!at_end() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
            ++pos_;
    }

    void expect(char c) {
        if (at_end()) fail(std::string("unexpected end of header, expected '") + c + "'");
        if (s_[pos_] != c) fail(std::string("expected '") + c + "'");
        ++pos_;
    }

    Value parse_value(int depth) {
        if (depth > kMaxDepth) fail("JSON nested too deeply");
        if (at_end()) fail("unexpected end of header, expected a value");
        const char c = peek();
        if (c == '{') return parse_object(depth);
        if (c == '[') return parse_array(depth);
        Value v;
        v.offset = static_cast<int64_t>(pos_);
        if (c == '"') {
            v.kind = Value::Kind::String;
            v.str = parse_string();
        } else if (c >= '0' && c <= '9') {
            v.kind = Value::Kind::Integer;
            v.integer = parse_integer();
        } else if (c == '-') {
            fail("negative numbers are not valid in a safetensors header");
        } else {
            fail("expected a string, integer, array or object");
        }
        return v;
    }

    Value parse_object(int depth) {
        Value v;
        v.kind = Value::Kind::Object;
        v.offset = static_cast<int64_t>(pos_);
        expect('{');
        skip_ws();
        if (peek() == '}') { ++pos_; return v; }
        // A hash set, not a scan of members: a 1,000-layer model has ~20,000 tensor names.
        std::unordered_set<std::string> seen;
        for (;;) {
            skip_ws();
            const size_t key_pos = pos_;
            if (peek() != '"') fail("expected a string key");
            std::string key = parse_string();
            if (!seen.insert(key).second) fail_at(key_pos, "duplicate key \"" + key + "\"");
            skip_ws();
            expect(':');
            skip_ws();
            v.members.push_back(Member{std::move(key), parse_value(depth + 1)});
            skip_ws();
            if (peek() == ',') { ++pos_; continue; }
            expect('}');
            return v;
        }
    }

    Value parse_array(int depth) {
        Value v;
        v.kind = Value::Kind::Array;
        v.offset = static_cast<int64_t>(pos_);
        expect('[');
        skip_ws();
        if (peek() == ']') { ++pos_; return v; }
        for (;;) {
            skip_ws();
            v.items.push_back(parse_value(depth + 1));
            skip_ws();
            if (peek() == ',') { ++pos_; continue; }
            expect(']');
            return v;
        }
    }

    uint64_t parse_integer() {
        const size_t start = pos_;
        uint64_t value = 0;
        while (!at_end() && s_[pos_] >= '0' && s_[pos_] <= '9') {
            const uint64_t digit = static_cast<uint64_t>(s_[pos_] - '0');
            if (value > (UINT64_MAX - digit) / 10) fail_at(start, "integer too large");
            value = value * 10 + digit;
            ++pos_;
        }
        if (pos_ - start > 1 && s_[start] == '0') fail_at(start, "integer with a leading zero");
        const char c = peek();
        if (c == '.' || c == 'e' || c == 'E') fail("only integers are valid in a safetensors header");
        return value;
    }

    uint32_t parse_hex4() {
        if (pos_ + 4 > s_.size()) fail("unexpected end of header in \\u escape");
        uint32_t cp = 0;
        for (int k = 0; k < 4; ++k) {
            const char c = s_[pos_];
            uint32_t d;
            if (c >= '0' && c <= '9') d = static_cast<uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f') d = static_cast<uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') d = static_cast<uint32_t>(c - 'A' + 10);
            else fail("invalid hex digit in \\u escape");
            cp = cp * 16 + d;
            ++pos_;
        }
        return cp;
    }

    // After "\u": one code point, joining a UTF-16 surrogate pair into one.
    uint32_t parse_unicode_escape(size_t escape_pos) {
        const uint32_t hi = parse_hex4();
        if (hi >= 0xDC00 && hi <= 0xDFFF) fail_at(escape_pos, "unpaired low surrogate in \\u escape");
        if (hi < 0xD800 || hi > 0xDBFF) return hi;
        if (s_.compare(pos_, 2, "\\u") != 0) fail_at(escape_pos, "unpaired high surrogate in \\u escape");
        pos_ += 2;
        const uint32_t lo = parse_hex4();
        if (lo < 0xDC00 || lo > 0xDFFF) fail_at(escape_pos, "invalid surrogate pair in \\u escape");
        return 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
    }

    std::string parse_string() {
        expect('"');
        std::string out;
        for (;;) {
            if (at_end()) fail("unterminated string");
            const unsigned char c = static_cast<unsigned char>(s_[pos_]);
            if (c == '"') { ++pos_; return out; }
            if (c < 0x20) fail("unescaped control character in string");
            if (c >= 0x80) {
                const size_t len = utf8_sequence_length(s_, pos_);
                if (len == 0) fail("invalid UTF-8 in string");
                out.append(s_, pos_, len);
                pos_ += len;
                continue;
            }
            if (c != '\\') { out += static_cast<char>(c); ++pos_; continue; }
            const size_t escape_pos = pos_;
            ++pos_;
            if (at_end()) fail("unterminated escape in string");
            const char e = s_[pos_++];
            switch (e) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': append_utf8(out, parse_unicode_escape(escape_pos)); break;
                default: fail_at(escape_pos, std::string("invalid escape \\") + e + " in string");
            }
        }
    }

    const std::string& s_;
    size_t pos_ = 0;
};

}  // namespace

Value parse(const std::string& text) { return Parser(text).parse_document(); }

void append_string(std::string& out, const std::string& s) {
    static const char kHex[] = "0123456789abcdef";
    out += '"';
    for (const char ch : s) {
        const unsigned char c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += kHex[c >> 4];
                    out += kHex[c & 0xF];
                } else {
                    out += ch;
                }
        }
    }
    out += '"';
}

bool is_valid_utf8(const std::string& s) {
    for (size_t i = 0; i < s.size();) {
        const size_t len = utf8_sequence_length(s, i);
        if (len == 0) return false;
        i += len;
    }
    return true;
}

const char* kind_name(Value::Kind kind) {
    switch (kind) {
        case Value::Kind::String: return "a string";
        case Value::Kind::Integer: return "an integer";
        case Value::Kind::Array: return "an array";
        case Value::Kind::Object: return "an object";
    }
    return "?";
}

}  // namespace deepnet::json
