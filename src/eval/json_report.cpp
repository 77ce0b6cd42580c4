// sacreBLEU's JSON output (json_report.h).
#include "src/eval/json_report.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "src/core/error.h"
#include "src/eval/metric_input.h"
#include "src/eval/unicode_text.h"

namespace deepnet::eval {

namespace {

using Items = std::vector<std::pair<std::string, std::string>>;  // key, encoded value

std::string hex4(unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "\\u%04x", v);
    return buf;
}

// json.dumps(dict, indent=...) at nesting depth `depth` (the dict's own braces there).
std::string json_object(const Items& items, int indent, int depth, bool ensure_ascii) {
    const std::string inner(static_cast<std::size_t>(indent * (depth + 1)), ' ');
    std::string out = "{\n";
    for (std::size_t i = 0; i < items.size(); ++i)
        out += inner + json_string(items[i].first, ensure_ascii) + ": " + items[i].second + (i + 1 < items.size() ? ",\n" : "\n");
    return out + std::string(static_cast<std::size_t>(indent * depth), ' ') + "}";
}

// float(f'{x:.{width}f}'): what Score.format puts in its JSON.
std::string rounded_float(double x, int width) {
    return py_float_repr(std::strtod(format_fixed(x, width).c_str(), nullptr));
}

std::string optional_float(const std::optional<double>& x) { return x ? py_float_repr(*x) : "null"; }

// Length of the UTF-8 sequence a lead byte announces; 0 for a byte that cannot lead.
std::size_t utf8_length(unsigned char b) {
    if (b < 0x80) return 1;
    if (b >= 0xC2 && b <= 0xDF) return 2;
    if (b >= 0xE0 && b <= 0xEF) return 3;
    if (b >= 0xF0 && b <= 0xF4) return 4;
    return 0;
}

}  // namespace

std::string py_float_repr(double x) {
    if (std::isnan(x)) return "NaN";
    if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof(buf), x, std::chars_format::scientific);
    DEEPNET_CHECK(res.ec == std::errc(), "cannot format a double");
    std::string s(buf, res.ptr);  // shortest round-trip digits: "-1.2345e+01"
    const bool negative = s[0] == '-';
    if (negative) s.erase(0, 1);
    const std::size_t e = s.find('e');
    std::string digits;
    for (std::size_t i = 0; i < e; ++i)
        if (s[i] != '.') digits += s[i];
    // Python's decpt: the value is 0.<digits> * 10^decpt.
    const int decpt = std::atoi(s.c_str() + e + 1) + 1;
    const auto n = static_cast<int>(digits.size());
    std::string out;
    if (decpt <= -4 || decpt > 16) {
        out = digits.substr(0, 1) + (n > 1 ? "." + digits.substr(1) : "");
        const int exp10 = decpt - 1;
        char ebuf[16];
        std::snprintf(ebuf, sizeof(ebuf), "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
        out += ebuf;
    } else if (decpt <= 0) {
        out = "0." + std::string(static_cast<std::size_t>(-decpt), '0') + digits;
    } else if (decpt >= n) {
        out = digits + std::string(static_cast<std::size_t>(decpt - n), '0') + ".0";
    } else {
        out = digits.substr(0, static_cast<std::size_t>(decpt)) + "." + digits.substr(static_cast<std::size_t>(decpt));
    }
    return negative ? "-" + out : out;
}

std::string json_string(std::string_view utf8, bool ensure_ascii) {
    std::string out = "\"";
    for (std::size_t i = 0; i < utf8.size();) {
        const auto b = static_cast<unsigned char>(utf8[i]);
        if (b < 0x80) {
            switch (b) {
                case '"': out += "\\\""; break;
                case '\\': out += "\\\\"; break;
                case '\n': out += "\\n"; break;
                case '\r': out += "\\r"; break;
                case '\t': out += "\\t"; break;
                case '\b': out += "\\b"; break;
                case '\f': out += "\\f"; break;
                default:
                    if (b < 0x20 || (ensure_ascii && b == 0x7F))
                        out += hex4(b);
                    else
                        out += static_cast<char>(b);
            }
            ++i;
            continue;
        }
        const std::size_t len = utf8_length(b);
        std::u32string cp;
        if (len == 0 || i + len > utf8.size() || !decode_utf8(utf8.substr(i, len), cp)) {
            out += ensure_ascii ? hex4(0xDC00u + b) : std::string(1, static_cast<char>(b));
            ++i;
            continue;
        }
        if (!ensure_ascii) {
            out += utf8.substr(i, len);
        } else if (cp[0] < 0x10000) {
            out += hex4(static_cast<unsigned>(cp[0]));
        } else {
            const unsigned v = static_cast<unsigned>(cp[0]) - 0x10000u;
            out += hex4(0xD800u | (v >> 10)) + hex4(0xDC00u | (v & 0x3FFu));
        }
        i += len;
    }
    return out + "\"";
}

std::string score_json(const ScoreJson& s, int width) {
    Items items{{"name", json_string(s.name, false)},
                {"score", rounded_float(s.score, width)},
                {"signature", json_string(s.signature, false)}};
    if (s.confidence && s.confidence->mean > 0) {
        const std::string mean = format_fixed(s.confidence->mean, width);
        const std::string ci = format_fixed(s.confidence->ci, width);
        items.emplace_back("confidence_mean", rounded_float(s.confidence->mean, width));
        items.emplace_back("confidence_var", rounded_float(s.confidence->ci, width));
        items.emplace_back("confidence", json_string("μ = " + mean + " ± " + ci, false));
    }
    if (!s.verbose.empty()) items.emplace_back("verbose_score", json_string(s.verbose, false));
    // for param in signature.split('|'): key, value = param.split(':')
    std::size_t start = 0;
    while (start <= s.signature.size()) {
        std::size_t bar = s.signature.find('|', start);
        if (bar == std::string::npos) bar = s.signature.size();
        const std::string param = s.signature.substr(start, bar - start);
        const std::size_t colon = param.find(':');
        DEEPNET_CHECK(colon != std::string::npos, "signature field without ':': " << param);
        items.emplace_back(param.substr(0, colon), json_string(param.substr(colon + 1), false));
        start = bar + 1;
    }
    return json_object(items, 1, 0, false);
}

std::string single_results_json(const std::vector<std::string>& results) {
    DEEPNET_CHECK(!results.empty(), "no results to print");
    if (results.size() == 1) return results[0] + "\n";
    std::string out = "[\n";
    for (std::size_t i = 0; i < results.size(); ++i) out += results[i] + (i + 1 < results.size() ? ",\n" : "\n");
    return out + "]\n";
}

std::string multi_results_json(const std::vector<std::string>& systems,
                               const std::vector<JsonColumn>& columns) {
    std::string out = "[\n";
    for (std::size_t s = 0; s < systems.size(); ++s) {
        Items items{{"system", json_string(systems[s], true)}};
        for (const JsonColumn& col : columns) {
            if (col.paired.empty()) {
                items.emplace_back(col.header, json_string(col.scores.at(s), true));
                continue;
            }
            const PairedResult& r = col.paired.at(s);
            const Items result{{"score", py_float_repr(r.score)},
                               {"p_value", optional_float(r.p_value)},
                               {"mean", optional_float(r.mean)},
                               {"ci", optional_float(r.ci)}};
            items.emplace_back(col.header, json_object(result, 4, 2, true));
        }
        out += "    " + json_object(items, 4, 1, true) + (s + 1 < systems.size() ? ",\n" : "\n");
    }
    return out + "]\n";
}

}  // namespace deepnet::eval
