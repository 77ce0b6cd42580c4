// Plain/gzip line reader with UTF-8 validation (see text_reader.h). Both formats go through
// one chunked buffer so line splitting, CRLF handling and line numbers are shared.
#include "src/data/text_reader.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "src/core/error.h"

namespace deepnet {
namespace {

constexpr size_t kChunk = size_t(1) << 20;

std::string working_dir() {
    char buf[4096];
    return ::getcwd(buf, sizeof(buf)) ? std::string(buf) : std::string("?");
}

[[noreturn]] void throw_cannot_open(const std::string& path, int err) {
    throw UserError("cannot open '" + path + "': " + std::strerror(err) +
                    " (check the file name; relative paths are taken from the working "
                    "directory " + working_dir() + ")");
}

struct stat file_status(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw_cannot_open(path, errno);
    return st;
}

// Rejects directories up front: fopen() accepts them and only the first read would fail,
// with a less helpful message.
void check_regular_file(const std::string& path) {
    DEEPNET_USER_CHECK(!S_ISDIR(file_status(path).st_mode),
                       "'" << path << "' is a directory; give the path of a text file");
}

}  // namespace

bool is_gzip_file(const std::string& path) {
    check_regular_file(path);
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw_cannot_open(path, errno);
    unsigned char magic[2] = {0, 0};
    const size_t got = std::fread(magic, 1, 2, f);
    std::fclose(f);
    return got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

// One open file: read() returns up to `size` bytes, 0 at end of file, throws on errors.
class TextReader::Source {
public:
    virtual ~Source() = default;
    virtual size_t read(char* out, size_t size) = 0;
};

namespace {

class GzipSource : public TextReader::Source {
public:
    explicit GzipSource(const std::string& path) : path_(path), f_(gzopen(path.c_str(), "rb")) {
        if (!f_) throw_cannot_open(path, errno);
        gzbuffer(f_, 1 << 18);
    }
    ~GzipSource() override { gzclose(f_); }
    size_t read(char* out, size_t size) override {
        const int n = gzread(f_, out, static_cast<unsigned>(size));
        int err = Z_OK;
        const char* msg = gzerror(f_, &err);
        // zlib reports a truncated stream as Z_BUF_ERROR while still returning the data it
        // could decode, so the check has to look at the error state, not only at n.
        if (n < 0 || (err != Z_OK && err != Z_STREAM_END))
            throw UserError("cannot decompress '" + path_ + "': " + (msg ? msg : "zlib error") +
                            " (the gzip file is corrupt or truncated; re-create it)");
        return static_cast<size_t>(n);
    }

private:
    std::string path_;
    gzFile f_;
};

}  // namespace

// zlib reads plain files transparently, so one open decides the format from the bytes it
// reads: a pipe (e.g. <(zcat ...)) loses nothing to a separate sniffing open.
TextReader::TextReader(const std::string& path) : path_(path) {
    check_regular_file(path);
    source_ = std::make_unique<GzipSource>(path);
}

void require_regular_file(const std::string& path, const std::string& why) {
    DEEPNET_USER_CHECK(S_ISREG(file_status(path).st_mode), "'" << path << "' is not a regular file (a pipe, device or "
                                                << "socket): " << why << "; write it to a file first");
}

TextReader::~TextReader() = default;

bool TextReader::fill() {
    if (eof_) return false;
    // Drop consumed bytes first so the buffer stays about one chunk plus one line long.
    if (pos_ > 0) {
        buffer_.erase(0, pos_);
        pos_ = 0;
    }
    const size_t old = buffer_.size();
    buffer_.resize(old + kChunk);
    const size_t n = source_->read(&buffer_[old], kChunk);
    buffer_.resize(old + n);
    if (n == 0) eof_ = true;
    return n > 0;
}

bool TextReader::next(std::string& line) {
    size_t end;
    for (;;) {
        const void* nl = std::memchr(buffer_.data() + pos_, '\n', buffer_.size() - pos_);
        if (nl) {
            end = static_cast<size_t>(static_cast<const char*>(nl) - buffer_.data());
            break;
        }
        DEEPNET_USER_CHECK(buffer_.size() - pos_ <= kMaxLineBytes,
                           path_ << ":" << line_number_ + 1 << ": line longer than " << kMaxLineBytes
                                 << " bytes without a newline: is this a text file?");
        if (!fill()) {
            if (pos_ >= buffer_.size()) return false;
            end = buffer_.size();  // last line without a final newline
            break;
        }
    }
    size_t len = end - pos_;
    if (len > 0 && buffer_[pos_ + len - 1] == '\r') --len;
    line.assign(buffer_, pos_, len);
    pos_ = end < buffer_.size() ? end + 1 : end;
    ++line_number_;
    // A byte order mark (some Windows editors write one) is not text; SentencePiece would
    // learn it as a character of the first sentence.
    if (line_number_ == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
    check_text_line(line, path_, line_number_);
    return true;
}

void check_text_line(const std::string& line, const std::string& name, int64_t line_number) {
    if (const size_t nul = line.find('\0'); nul != std::string::npos)
        throw UserError(name + ":" + std::to_string(line_number) + ": NUL byte at byte offset " +
                        std::to_string(nul) + ": this looks like a binary file, not text");
    if (const auto bad = find_invalid_utf8(line))
        throw UserError(name + ":" + std::to_string(line_number) + ": invalid UTF-8 (byte offset " +
                        std::to_string(*bad) + "); convert the file to UTF-8 (e.g. iconv) or "
                        "remove the line");
}

std::vector<std::string> read_lines(const std::string& path) {
    TextReader reader(path);
    std::vector<std::string> lines;
    std::string line;
    while (reader.next(line)) lines.push_back(line);
    return lines;
}

}  // namespace deepnet
