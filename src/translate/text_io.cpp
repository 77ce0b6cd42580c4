// Text input, tags, cropping and n-best formatting (see text_io.h).
#include "src/translate/text_io.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <sstream>

#include "src/core/error.h"
#include "src/data/corpus_plan.h"

namespace deepnet {

namespace {
bool is_stdin(const std::string& path) { return path.empty() || path == "stdin" || path == "-"; }

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
}
}  // namespace

LineSource::LineSource(const std::string& path) : name_(is_stdin(path) ? "stdin" : path) {
    if (!is_stdin(path)) file_ = std::make_unique<TextReader>(path);
}

bool LineSource::fill(bool wait) {
    if (eof_) return false;
    if (!wait) {
        pollfd p{0, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0) return true;  // nothing there yet (or poll unsupported)
    }
    if (pos_ > 0) {
        buf_.erase(0, pos_);
        pos_ = 0;
    }
    char chunk[65536];
    for (;;) {
        const ssize_t n = ::read(0, chunk, sizeof(chunk));
        if (n > 0) {
            buf_.append(chunk, size_t(n));
            return true;
        }
        if (n == 0) {
            eof_ = true;
            return false;
        }
        DEEPNET_USER_CHECK(errno == EINTR, "reading stdin failed: " << std::strerror(errno));
    }
}

bool LineSource::would_block() {
    if (file_ || buf_.find('\n', pos_) != std::string::npos || eof_) return false;
    fill(false);
    return buf_.find('\n', pos_) == std::string::npos && !eof_;
}

bool LineSource::next(std::string& line) {
    if (file_) return file_->next(line);
    size_t nl;
    while ((nl = buf_.find('\n', pos_)) == std::string::npos && fill(true))
        DEEPNET_USER_CHECK(buf_.size() - pos_ <= kMaxLineBytes,
                           "stdin:" << stdin_line_ + 1 << ": line longer than " << kMaxLineBytes
                                    << " bytes without a newline: is this text?");
    if (nl == std::string::npos) {  // end of input: a last line without newline, or nothing
        if (pos_ >= buf_.size()) return false;
        nl = buf_.size();
    }
    line.assign(buf_, pos_, nl - pos_);
    pos_ = std::min(buf_.size(), nl + 1);
    ++stdin_line_;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    check_text_line(line, "stdin", stdin_line_);
    return true;
}

int64_t LineSource::line_number() const { return file_ ? file_->line_number() : stdin_line_; }

int64_t target_language_tag(const std::vector<std::string>& target_languages,
                            const std::string& requested, const Vocab& vocab,
                            std::vector<std::string>& warnings) {
    if (target_languages.empty()) {
        if (!requested.empty())
            warnings.push_back("--target-lang " + requested +
                               " is ignored: the model has no target-language tags");
        return -1;
    }
    DEEPNET_USER_CHECK(!requested.empty(),
                       "the model is multilingual: choose the target language with --target-lang "
                       "(one of: " << joined(target_languages) << ")");
    DEEPNET_USER_CHECK(std::find(target_languages.begin(), target_languages.end(), requested) !=
                           target_languages.end(),
                       "unknown target language '" << requested
                                                   << "'; the model translates into: "
                                                   << joined(target_languages));
    const std::string tag = language_tag(requested);
    const int64_t id = vocab.id_of(tag);
    DEEPNET_USER_CHECK(id >= 0, "the model's vocabulary has no piece " << tag);
    return id;
}

InferenceModel load_inference_model(const std::string& path, const std::string& target_lang,
                                    std::vector<std::string>& warnings) {
    LoadedModel loaded = load_model_file(path);
    Vocab vocab = Vocab::from_serialized(loaded.meta.vocab_proto);
    DEEPNET_USER_CHECK(vocab.size() == loaded.config.vocab_size,
                       path << ": the vocabulary has " << vocab.size()
                            << " pieces but the model's embeddings have "
                            << loaded.config.vocab_size << " rows");
    const int64_t tag = target_language_tag(loaded.meta.target_languages, target_lang, vocab,
                                            warnings);
    std::vector<int64_t> tag_ids = language_tag_ids(vocab);
    return InferenceModel{std::move(loaded), std::move(vocab), tag, std::move(tag_ids)};
}

std::vector<int64_t> encode_line(const std::string& line, const Vocab& vocab, int64_t tag,
                                 const SourceLimits& limits, const std::string& what,
                                 std::vector<std::string>& warnings) {
    std::vector<int64_t> ids;
    if (tag >= 0) ids.push_back(tag);
    const std::vector<int64_t> pieces = vocab.encode(line);
    ids.insert(ids.end(), pieces.begin(), pieces.end());
    if (int64_t(ids.size()) > limits.max_length) {
        DEEPNET_USER_CHECK(limits.crop, what << " has " << ids.size()
                                             << " tokens, more than max-length "
                                             << limits.max_length
                                             << " and max-length-crop is off");
        warnings.push_back(what + " has " + std::to_string(ids.size()) +
                           " tokens; cropped to max-length " + std::to_string(limits.max_length));
        ids.resize(size_t(limits.max_length));
    }
    return ids;
}

std::string format_score(double score) {
    std::ostringstream os;
    os << float(score);
    return os.str();
}

std::string format_sentence_score(double score) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6f", score);
    return buf;
}

std::string nbest_line(int64_t id, const std::string& translation, const Hypothesis& h) {
    return std::to_string(id) + " ||| " + translation + " ||| F0= " + format_score(h.score) +
           " ||| " + format_score(h.total);
}

}  // namespace deepnet
