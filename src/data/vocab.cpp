// SentencePiece vocabulary (see vocab.h): training through a SentenceIterator so gzip input
// and UTF-8 errors go through TextReader, atomic saving, and the id checks that keep the
// model's pad/unk/bos/eos ids in agreement with the vocabulary.
#include "src/data/vocab.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>
#include <sys/stat.h>

#include <exception>
#include <thread>
#include <unordered_map>

#include "src/core/atomic_file.h"
#include "src/core/error.h"
#include "src/core/log.h"
#include "src/data/text_reader.h"

namespace deepnet {
namespace {

namespace spm = sentencepiece;

// The special ids src/model/batch.h and ModelConfig assume.
constexpr int kPad = 0, kUnk = 1, kBos = 2, kEos = 3;

// SentencePiece's default; fixed rather than taken from the machine because the unigram
// E-step sums per-thread partial counts, so the thread count can change the model.
constexpr int kTrainThreads = 16;

// Feeds every non-empty line of the files to the trainer. TextReader throws on bad input;
// SentencePiece is not built to unwind exceptions, so the error is parked here, the
// iteration ends with a failed status, and train() rethrows it afterwards.
class FilesIterator : public spm::SentenceIterator {
public:
    explicit FilesIterator(const std::vector<std::string>& files) : files_(files) { advance(); }
    bool done() const override { return done_; }
    void Next() override { advance(); }
    const std::string& value() const override { return line_; }
    spm::util::Status status() const override {
        if (!error_) return spm::util::Status();
        return spm::util::Status(spm::util::StatusCode::kInternal, "input error");
    }
    std::exception_ptr error() const { return error_; }
    int64_t lines() const { return lines_; }

private:
    void advance() {
        try {
            for (;;) {
                if (!reader_) {
                    if (next_file_ >= files_.size()) {
                        done_ = true;
                        return;
                    }
                    reader_ = std::make_unique<TextReader>(files_[next_file_++]);
                }
                if (!reader_->next(line_)) {
                    reader_.reset();
                    continue;
                }
                if (line_.empty()) continue;
                ++lines_;
                return;
            }
        } catch (...) {
            error_ = std::current_exception();
            done_ = true;
        }
    }

    std::vector<std::string> files_;
    size_t next_file_ = 0;
    std::unique_ptr<TextReader> reader_;
    std::string line_;
    bool done_ = false;
    int64_t lines_ = 0;
    std::exception_ptr error_;
};

std::string join(const std::vector<std::string>& items, const char* sep) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
    return out;
}

std::unordered_map<std::string, std::string> trainer_args(int64_t vocab_size,
                                                          int64_t max_sentences,
                                                          const std::vector<std::string>& symbols) {
    return {
        {"model_type", "unigram"},
        {"vocab_size", std::to_string(vocab_size)},
        {"character_coverage", "1.0"},
        {"pad_id", std::to_string(kPad)}, {"unk_id", std::to_string(kUnk)},
        {"bos_id", std::to_string(kBos)}, {"eos_id", std::to_string(kEos)},
        {"pad_piece", "<pad>"}, {"unk_piece", "<unk>"}, {"bos_piece", "<s>"}, {"eos_piece", "</s>"},
        {"user_defined_symbols", join(symbols, ",")},
        {"input_sentence_size", std::to_string(max_sentences)},
        {"shuffle_input_sentence", "true"},
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

    FilesIterator it(files);
    std::string proto;
    spm::util::Status status;
    // GetRandomGenerator() in SentencePiece is a thread_local engine seeded once per thread
    // from the global seed; a fresh thread per training run makes the sentence sampling
    // depend on `seed` alone, not on earlier runs in this process.
    std::thread worker([&] {
        spm::SetRandomGeneratorSeed(static_cast<unsigned>(seed ^ (seed >> 32)));
        status = spm::SentencePieceTrainer::Train(trainer_args(vocab_size, max_sentences, user_symbols),
                                                  &it, &proto);
    });
    worker.join();
    if (it.error()) std::rethrow_exception(it.error());
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

int64_t Vocab::id_of(const std::string& piece) const {
    const int id = sp_->PieceToId(piece);
    // PieceToId maps every unknown piece to unk, so only "<unk>" itself may return it.
    if (id == kUnk && piece != sp_->IdToPiece(kUnk)) return -1;
    return id;
}

}  // namespace deepnet
