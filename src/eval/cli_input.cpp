// sacreBLEU's reading of references and hypotheses (cli_input.h).
#include "src/eval/cli_input.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "src/core/error.h"
#include "src/core/utf8.h"
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

constexpr std::size_t kMaxLineBytes = std::size_t(16) << 20;  // as the project's TextReader

std::string working_dir() {
    char buf[4096];
    return ::getcwd(buf, sizeof(buf)) ? std::string(buf) : std::string("?");
}

[[noreturn]] void throw_cannot_open(const std::string& path, int err) {
    throw UserError("cannot open '" + path + "': " + std::strerror(err) +
                    " (check the file name; relative paths are taken from the working directory " +
                    working_dir() + ")");
}

// The checks TextReader gives every line of text input, with its messages.
void check_line(const std::string& line, const std::string& path, std::size_t number) {
    const std::string where = path + ":" + std::to_string(number);
    if (const std::size_t nul = line.find('\0'); nul != std::string::npos)
        throw UserError(where + ": NUL byte at byte offset " + std::to_string(nul) +
                        ": this looks like a binary file, not text");
    if (const auto bad = find_invalid_utf8(line))
        throw UserError(where + ": invalid UTF-8 (byte offset " + std::to_string(*bad) +
                        "); convert the file to UTF-8 (e.g. iconv) or remove the line");
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

namespace deepnet::eval {

std::vector<std::string> read_cli_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw_cannot_open(path, errno);
    DEEPNET_USER_CHECK(!S_ISDIR(st.st_mode), "'" << path << "' is a directory; give the path of a text file");
    // zlib reads plain files as they are, so one open serves both (and a pipe loses nothing).
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) throw_cannot_open(path, errno);
    std::vector<std::string> lines;
    std::string pending;  // the line being read
    std::vector<char> buf(std::size_t(1) << 20);
    try {
        for (;;) {
            const int n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
            int err = Z_OK;
            const char* msg = gzerror(f, &err);
            if (n < 0 || (err != Z_OK && err != Z_STREAM_END))
                throw UserError("cannot decompress '" + path + "': " + (msg ? msg : "zlib error") +
                                " (the gzip file is corrupt or truncated; re-create it)");
            if (n == 0) break;
            const char* p = buf.data();
            const char* end = p + n;
            while (p < end) {
                const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
                const char* stop = nl ? nl : end;
                pending.append(p, stop);
                DEEPNET_USER_CHECK(pending.size() <= kMaxLineBytes,
                                   path << ":" << lines.size() + 1 << ": line longer than " << kMaxLineBytes
                                        << " bytes without a newline: is this a text file?");
                if (!nl) break;
                check_line(pending, path, lines.size() + 1);
                lines.push_back(std::move(pending));
                pending.clear();
                p = nl + 1;
            }
        }
    } catch (...) {
        gzclose(f);
        throw;
    }
    gzclose(f);
    if (!pending.empty()) {  // a last line without '\n'
        check_line(pending, path, lines.size() + 1);
        lines.push_back(std::move(pending));
    }
    // No BOM handling: open(encoding='utf-8') keeps U+FEFF as the first character.
    for (std::size_t i = 0; i < lines.size(); ++i)
        lines[i] = rstrip_line(lines[i], path + " line " + std::to_string(i + 1));
    return lines;
}

std::vector<std::vector<std::string>> split_tab_references(const std::vector<std::string>& lines,
                                                           int64_t num_refs, const std::string& path) {
    // full_refs = [[] for x in range(max(len(ref_files), args.num_refs))], one file here.
    std::vector<std::vector<std::string>> streams(static_cast<std::size_t>(std::max<int64_t>(1, num_refs)));
    for (std::size_t i = 0; i < lines.size(); ++i) {
        // line.split(sep='\t', maxsplit=num_refs - 1); a negative maxsplit has no limit.
        std::vector<std::string> fields;
        std::size_t start = 0;
        for (;;) {
            const bool limited = num_refs - 1 >= 0;
            const std::size_t tab = lines[i].find('\t', start);
            if (tab == std::string::npos ||
                (limited && static_cast<int64_t>(fields.size()) >= num_refs - 1)) {
                fields.push_back(lines[i].substr(start));
                break;
            }
            fields.push_back(lines[i].substr(start, tab - start));
            start = tab + 1;
        }
        // sacreBLEU: sacrelogger.error(f'FATAL: line {lineno}: expected {args.num_refs}
        // fields, but found {len(refs)}.'); sys.exit(17)
        DEEPNET_USER_CHECK(static_cast<int64_t>(fields.size()) == num_refs,
                           path << ": line " << i + 1 << ": expected " << num_refs << " fields, but found "
                                << fields.size() << ". (with -nr " << num_refs << ", sacreBLEU's reading: "
                                << "every line of the reference file holds that many tab-separated references)");
        for (std::size_t r = 0; r < fields.size(); ++r) streams[r].push_back(std::move(fields[r]));
    }
    return streams;
}

std::optional<std::string> format_from_env() {
    // if 'SACREBLEU_FORMAT' in os.environ: _new_value = os.environ[...].lower(); if
    // _new_value in output_formats: args.format = _new_value. No non-ASCII character
    // lower-cases to a letter of json/text/latex, so ASCII lower() is the same test.
    const char* env = std::getenv("SACREBLEU_FORMAT");
    if (!env) return std::nullopt;
    std::string value = env;
    std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
    if (value == "json" || value == "text" || value == "latex") return value;
    return std::nullopt;
}

}  // namespace deepnet::eval
