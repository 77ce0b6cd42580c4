// Line-by-line reading of plain or gzip-compressed text, with UTF-8 validation.
// The format is chosen by the file's first two bytes (gzip magic 1f 8b), never by its name,
// so "train.de" may be compressed and "train.de.gz" may be plain. Every line is checked to
// be valid UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF) because
// SentencePiece would otherwise silently drop or mangle it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/core/utf8.h"

namespace deepnet {


// True when the file starts with the gzip magic bytes. Throws UserError if unreadable.
bool is_gzip_file(const std::string& path);

// Longest line accepted (a guard against binary input or an endless stream such as
// /dev/zero, which would otherwise fill the memory).
constexpr size_t kMaxLineBytes = size_t(16) << 20;

// UserError unless `path` is a regular file; `why` says why one is needed (training reads
// its corpora more than once, which a pipe cannot give).
void require_regular_file(const std::string& path, const std::string& why);

// UserError "<name>:<line>: ..." when `line` holds a NUL byte or invalid UTF-8: the checks
// every line of text input gets, from a file (TextReader) or from stdin (translate).
void check_text_line(const std::string& line, const std::string& name, int64_t line_number);

class TextReader {
public:
    // Throws UserError naming the file when it is missing or unreadable.
    explicit TextReader(const std::string& path);
    ~TextReader();
    TextReader(const TextReader&) = delete;
    TextReader& operator=(const TextReader&) = delete;

    // The next line without its "\n" (and without a trailing "\r", so CRLF files read like
    // LF files, and without a UTF-8 byte order mark on line 1); false at end of file.
    // Throws UserError "file:line: invalid UTF-8 (byte offset N)" on a bad line (and on a NUL
    // byte or a line over kMaxLineBytes) and
    // UserError naming the file on corrupt gzip data.
    bool next(std::string& line);

    int64_t line_number() const { return line_number_; }  // 1-based, of the last line read
    const std::string& path() const { return path_; }

    class Source;  // plain or gzip byte stream; defined in text_reader.cpp

private:
    bool fill();

    std::string path_;
    std::unique_ptr<Source> source_;
    std::string buffer_;
    size_t pos_ = 0;
    bool eof_ = false;
    int64_t line_number_ = 0;
};

// All lines of a file (plain or gzip), validated.
std::vector<std::string> read_lines(const std::string& path);

}  // namespace deepnet
