// sacreBLEU's reading of references and hypotheses (cli_input.h).
#include "src/eval/cli_input.h"

#include "src/core/error.h"
#include "src/eval/unicode_text.h"

namespace deepnet::eval {

namespace {

std::vector<std::u32string> split_tabs(std::u32string_view s) {
    std::vector<std::u32string> fields(1);
    for (char32_t c : s) {
        if (c == U'\t')
            fields.emplace_back();
        else
            fields.back() += c;
    }
    return fields;
}

}  // namespace

std::string rstrip_line(const std::string& line, const std::string& where) {
    const std::u32string text = decode_utf8_checked(line, where);
    return encode_utf8(py_rstrip(text));
}

std::vector<std::string> split_universal_newlines(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\n' && text[i] != '\r') continue;
        lines.push_back(text.substr(start, i - start));
        if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
        start = i + 1;
    }
    if (start < text.size()) lines.push_back(text.substr(start));
    return lines;
}

std::vector<std::vector<std::string>> stdin_systems(const std::string& text) {
    std::vector<std::string> lines = split_universal_newlines(text);
    if (lines.empty()) lines.emplace_back();
    std::vector<std::vector<std::string>> systems;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string where = "standard input line " + std::to_string(i + 1);
        const std::u32string line = decode_utf8_checked(lines[i], where);
        const std::vector<std::u32string> fields = split_tabs(py_rstrip(line));
        if (i == 0) {
            // fields = inputfh.readline().rstrip().split('\t'): these are not rstripped again.
            for (const std::u32string& f : fields) systems.push_back({encode_utf8(f)});
            continue;
        }
        DEEPNET_USER_CHECK(fields.size() == systems.size(),
                           where << " has " << fields.size() << " tab-separated fields but line 1 has "
                                 << systems.size() << ": standard input holds one system per column, as in "
                                 "sacreBLEU (a tab inside a hypothesis starts a new column); give every line "
                                 "the same number of columns, or give each system as a file to -i");
        for (std::size_t s = 0; s < fields.size(); ++s) systems[s].push_back(encode_utf8(py_rstrip(fields[s])));
    }
    return systems;
}

std::vector<std::string> stdin_system_names(std::size_t count, bool paired) {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < count; ++i) {
        if (paired)
            names.push_back(i == 0 ? "Baseline" : "System " + std::to_string(i));
        else
            names.push_back("System " + std::to_string(i + 1));
    }
    return names;
}

}  // namespace deepnet::eval
