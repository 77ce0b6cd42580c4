// The joint SentencePiece vocabulary: training (unigram, deterministic for a seed), loading,
// (de)serialising for embedding in the model file, and text <-> id conversion.
// Special ids are fixed to match src/model/batch.h: pad 0, unk 1, bos <s> 2, eos </s> 3.
// Language tags such as <2de> are user-defined symbols, so each is always exactly one id.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace deepnet {

class Vocab {
public:
    // Trains a joint unigram model over all lines of `files` (plain or gzip), at most
    // `max_sentences` of them sampled with `seed` (0 = all lines), and saves it atomically
    // to `model_path`. Same files + same seed + same arguments = byte-identical model.
    static Vocab train(const std::vector<std::string>& files, const std::string& model_path,
                       int64_t vocab_size, int64_t max_sentences, uint64_t seed,
                       const std::vector<std::string>& user_symbols);
    static Vocab load(const std::string& path);
    static Vocab from_serialized(const std::string& proto_bytes);

    // Marian semantics of `vocabs: [joint.spm, joint.spm]`: load `path` if it exists,
    // otherwise train it from `files` and save it there. Logs which of the two it did.
    // A loaded model must contain every one of `user_symbols` as a single piece.
    static Vocab load_or_train(const std::string& path, const std::vector<std::string>& files,
                               int64_t vocab_size, int64_t max_sentences, uint64_t seed,
                               const std::vector<std::string>& user_symbols);

    std::string serialized() const;  // the SentencePiece model proto, as saved on disk

    std::vector<int64_t> encode(const std::string& text) const;  // no <s>/</s> added
    std::string decode(const std::vector<int64_t>& ids) const;   // pad/bos/eos are dropped
    int64_t size() const;
    int64_t id_of(const std::string& piece) const;  // -1 when the piece is not in the vocab
    std::string piece(int64_t id) const;            // the piece of an id in [0, size())
    bool has_piece(const std::string& piece) const { return id_of(piece) >= 0; }
    const std::string& origin() const { return origin_; }  // file name or "<serialized>"

private:
    Vocab(std::shared_ptr<const sentencepiece::SentencePieceProcessor> sp, std::string origin);
    static Vocab from_bytes(const std::string& proto_bytes, const std::string& origin);

    // Shared and const: copies are cheap and encode() may run on several threads at once.
    std::shared_ptr<const sentencepiece::SentencePieceProcessor> sp_;
    std::string origin_;
};

// Ids of the language tags "<2xx>" in the vocabulary: a decoder never outputs them.
std::vector<int64_t> language_tag_ids(const Vocab& vocab);

}  // namespace deepnet
