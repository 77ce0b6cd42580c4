// SentencePiece vocabulary (see vocab.h): training through a SentenceIterator so gzip input
// and UTF-8 errors go through TextReader, atomic saving, and the id checks that keep the
// model's pad/unk/bos/eos ids in agreement with the vocabulary.
#include "src/data/vocab.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>
#include <sys/stat.h>

#include <unordered_map>

#include "src/core/atomic_file.h"
#include "src/core/error.h"
#include "src/core/log.h"
#include "src/data/data_rng.h"
#include "src/data/text_reader.h"

namespace deepnet {
namespace {

namespace spm = sentencepiece;

// The special ids src/model/batch.h and ModelConfig assume.
constexpr int kPad = 0, kUnk = 1, kBos = 2, kEos = 3;

// SentencePiece's default; fixed rather than taken from the machine because the unigram
// E-step sums per-thread partial counts, so the thread count can change the model.
constexpr int kTrainThreads = 16;

constexpr uint64_t kVocabSampleStream = 4;

// Every non-empty line of the files, or a uniform sample of max_lines of them (reservoir
// sampling, Algorithm R, keyed by the seed). Done here and not with SentencePiece's
// input_sentence_size: with a SentenceIterator, 0.1.97 keeps the *last* lines instead of a
// random sample (so a joint en+de vocabulary would see only German) and ignores the seed.
std::vector<std::string> sample_lines(const std::vector<std::string>& files, int64_t max_lines,
                                      uint64_t seed) {
    std::vector<std::string> kept;
    DataRng rng(seed, 0, kVocabSampleStream);
    uint64_t seen = 0;
    std::string line;
    for (const auto& file : files) {
        require_regular_file(file, "the vocabulary is trained on a sample before the data is read");
        TextReader reader(file);
        while (reader.next(line)) {
            if (line.empty()) continue;
            ++seen;
            if (max_lines <= 0 || int64_t(kept.size()) < max_lines) {
                kept.push_back(line);
            } else {
                const uint64_t j = rng.below(seen);
                if (j < uint64_t(max_lines)) kept[j] = line;
            }
        }
    }
    return kept;
}

class LinesIterator : public spm::SentenceIterator {
public:
    explicit LinesIterator(const std::vector<std::string>& lines) : lines_(lines) {}
    bool done() const override { return pos_ >= lines_.size(); }
    void Next() override { ++pos_; }
    const std::string& value() const override { return lines_[pos_]; }
    spm::util::Status status() const override { return spm::util::Status(); }

private:
    const std::vector<std::string>& lines_;
    size_t pos_ = 0;
};

std::string join(const std::vector<std::string>& items, const char* sep) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
    return out;
}

std::unordered_map<std::string, std::string> trainer_args(int64_t vocab_size,
                                                          const std::vector<std::string>& symbols) {
    return {
        {"model_type", "unigram"},
        {"vocab_size", std::to_string(vocab_size)},
        {"character_coverage", "1.0"},
        {"pad_id", std::to_string(kPad)}, {"unk_id", std::to_string(kUnk)},
        {"bos_id", std::to_string(kBos)}, {"eos_id", std::to_string(kEos)},
        {"pad_piece", "<pad>"}, {"unk_piece", "<unk>"}, {"bos_piece", "<s>"}, {"eos_piece", "</s>"},
        {"user_defined_symbols", join(symbols, ",")},
        {"input_sentence_size", "0"},  // sample_lines has done the sampling
        {"shuffle_input_sentence", "false"},
        {"num_threads", std::to_string(kTrainThreads)},
        {"minloglevel", "1"},  // SentencePiece's per-iteration progress would flood the log
    };
}

void check_special_ids(const spm::SentencePieceProcessor& sp, const std::string& origin) {
    const int64_t n = sp.GetPieceSize();
    DEEPNET_USER_CHECK(n > kEos, "vocabulary " << origin << " has only " << n
                                               << " pieces; it is empty or unusable");
    DEEPNET_USER_CHECK(sp.pad_id() == kPad && sp.unk_id() == kUnk && sp.bos_id() == kBos &&
                           sp.eos_id() == kEos,
                       "vocabulary " << origin << " has pad/unk/bos/eos ids " << sp.pad_id() << "/"
                                     << sp.unk_id() << "/" << sp.bos_id() << "/" << sp.eos_id()
                                     << " but DeepNet needs 0/1/2/3; delete it so that DeepNet "
                                        "trains a new one, or train it with --pad_id=0 "
                                        "--unk_id=1 --bos_id=2 --eos_id=3");
}

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

Vocab::Vocab(std::shared_ptr<const spm::SentencePieceProcessor> sp, std::string origin)
    : sp_(std::move(sp)), origin_(std::move(origin)) {}

Vocab Vocab::train(const std::vector<std::string>& files, const std::string& model_path,
                   int64_t vocab_size, int64_t max_sentences, uint64_t seed,
                   const std::vector<std::string>& user_symbols) {
    DEEPNET_USER_CHECK(!files.empty(), "cannot train vocabulary " << model_path << ": no input files");
    DEEPNET_USER_CHECK(vocab_size > 4 + int64_t(user_symbols.size()),
                       "vocabulary size " << vocab_size << " is too small: it needs room for 4 "
                       "special pieces, " << user_symbols.size() << " language tags and the text");
    for (const auto& s : user_symbols)
        DEEPNET_CHECK(s.find(',') == std::string::npos, "symbol '" << s << "' contains a comma");

    const std::vector<std::string> lines = sample_lines(files, max_sentences, seed);
    DEEPNET_USER_CHECK(!lines.empty(), "cannot train vocabulary " << model_path << ": "
                                       << join(files, ", ") << " contain no text");
    LinesIterator it(lines);
    std::string proto;
    const auto status =
        spm::SentencePieceTrainer::Train(trainer_args(vocab_size, user_symbols), &it, &proto);
    DEEPNET_USER_CHECK(status.ok(), "SentencePiece could not train vocabulary "
                                        << model_path << " from " << join(files, ", ") << ": "
                                        << status.message()
                                        << " (with too little text, lower dim-vocabs)");
    write_file_atomic(model_path, proto);
    return from_bytes(proto, model_path);
}

Vocab Vocab::load(const std::string& path) { return from_bytes(read_file(path), path); }

Vocab Vocab::from_serialized(const std::string& proto_bytes) {
    return from_bytes(proto_bytes, "<serialized>");
}

Vocab Vocab::from_bytes(const std::string& proto_bytes, const std::string& origin) {
    DEEPNET_USER_CHECK(!proto_bytes.empty(), "vocabulary " << origin << " is empty (0 bytes)");
    auto sp = std::make_shared<spm::SentencePieceProcessor>();
    const auto status = sp->LoadFromSerializedProto(proto_bytes);
    DEEPNET_USER_CHECK(status.ok(), "vocabulary " << origin << " is not a SentencePiece model ("
                                                  << status.message() << ")");
    check_special_ids(*sp, origin);
    return Vocab(std::move(sp), origin);
}

Vocab Vocab::load_or_train(const std::string& path, const std::vector<std::string>& files,
                           int64_t vocab_size, int64_t max_sentences, uint64_t seed,
                           const std::vector<std::string>& user_symbols) {
    DEEPNET_USER_CHECK(!path.empty(), "no vocabulary given: set vocabs, e.g. vocabs: "
                                      "[joint.spm, joint.spm] (trained there if missing)");
    if (!file_exists(path)) {
        log::info("Training SentencePiece vocabulary " + path + " (" + std::to_string(vocab_size) +
                  " pieces) from " + join(files, ", "));
        Vocab v = train(files, path, vocab_size, max_sentences, seed, user_symbols);
        log::info("Saved vocabulary " + path);
        return v;
    }
    Vocab v = load(path);
    log::info("Loaded vocabulary " + path + " (" + std::to_string(v.size()) + " pieces)");
    for (const auto& s : user_symbols)
        DEEPNET_USER_CHECK(v.sp_->PieceToId(s) != kUnk,
                           "vocabulary " << path << " has no piece " << s << ", so the language "
                           "tag would be split into several tokens; delete " << path
                           << " so that DeepNet trains a new one with all tags");
    if (v.size() != vocab_size)
        log::warn("vocabulary " + path + " has " + std::to_string(v.size()) +
                  " pieces, dim-vocabs is " + std::to_string(vocab_size));
    return v;
}

std::string Vocab::serialized() const { return sp_->serialized_model_proto(); }

std::vector<int64_t> Vocab::encode(const std::string& text) const {
    std::vector<int> ids;
    const auto status = sp_->Encode(text, &ids);
    DEEPNET_CHECK(status.ok(), "SentencePiece encode failed: " << status.message());
    return std::vector<int64_t>(ids.begin(), ids.end());
}

std::string Vocab::decode(const std::vector<int64_t>& ids) const {
    std::vector<int> pieces;
    pieces.reserve(ids.size());
    const int64_t n = size();
    for (int64_t id : ids) {
        DEEPNET_CHECK(id >= 0 && id < n, "token id " << id << " outside vocabulary of " << n);
        if (id != kPad && id != kBos && id != kEos) pieces.push_back(static_cast<int>(id));
    }
    std::string text;
    const auto status = sp_->Decode(pieces, &text);
    DEEPNET_CHECK(status.ok(), "SentencePiece decode failed: " << status.message());
    return text;
}

int64_t Vocab::size() const { return sp_->GetPieceSize(); }

std::string Vocab::piece(int64_t id) const {
    DEEPNET_CHECK(id >= 0 && id < size(), "token id " << id << " outside vocabulary of " << size());
    return sp_->IdToPiece(static_cast<int>(id));
}

int64_t Vocab::id_of(const std::string& piece) const {
    const int id = sp_->PieceToId(piece);
    // PieceToId maps every unknown piece to unk, so only "<unk>" itself may return it.
    if (id == kUnk && piece != sp_->IdToPiece(kUnk)) return -1;
    return id;
}

std::vector<int64_t> language_tag_ids(const Vocab& vocab) {
    std::vector<int64_t> ids;
    for (int64_t id = 0; id < vocab.size(); ++id) {
        const std::string p = vocab.piece(id);
        if (p.size() > 3 && p.compare(0, 2, "<2") == 0 && p.back() == '>') ids.push_back(id);
    }
    return ids;
}

}  // namespace deepnet
