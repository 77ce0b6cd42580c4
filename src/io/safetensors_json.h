// The strict JSON subset a safetensors header uses: objects, strings (all escapes,
// \uXXXX with surrogate pairs, UTF-8 validated), arrays and non-negative integers.
// Anything else (numbers with sign, fraction or exponent, true/false/null, duplicate keys,
// trailing garbage) is rejected with the byte offset where it was found.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace deepnet::json {

class ParseError : public std::runtime_error {
public:
    ParseError(int64_t at, const std::string& what) : std::runtime_error(what), offset(at) {}
    int64_t offset;  // byte offset into the parsed text
};

struct Member;

struct Value {
    enum class Kind { String, Integer, Array, Object };
    Kind kind = Kind::Object;
    int64_t offset = 0;            // where the value starts in the text, for error messages
    std::string str;               // Kind::String
    uint64_t integer = 0;          // Kind::Integer
    std::vector<Value> items;      // Kind::Array
    std::vector<Member> members;   // Kind::Object, in document order, keys unique
};

struct Member {
    std::string key;
    Value value;
};

// Parses the whole text; trailing whitespace (safetensors pads with spaces) is allowed.
Value parse(const std::string& text);

// Appends s as a JSON string literal, escaped the way serde_json does (", \, control
// characters; non-ASCII UTF-8 passes through).
void append_string(std::string& out, const std::string& s);

bool is_valid_utf8(const std::string& s);

const char* kind_name(Value::Kind kind);

}  // namespace deepnet::json
