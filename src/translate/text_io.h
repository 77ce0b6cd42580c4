// The text side of translate and score: reading input lines (file, gzip or stdin) with
// UTF-8 validation, turning a line into source ids (target-language tag, max-length crop),
// choosing the tag of a multilingual model, and Marian's n-best line format.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/data/text_reader.h"
#include "src/data/vocab.h"
#include "src/io/model_file.h"
#include "src/translate/beam_search.h"

namespace deepnet {

// Lines of a file (plain or gzip, via TextReader) or of standard input ("", "stdin", "-").
// Throws UserError "<name>:<line>: invalid UTF-8 ..." on a bad line.
// Standard input is read with read(2) into an own buffer, so would_block() can tell whether
// the next line is already there: an interactive user gets each translation as soon as its
// line is in, while piped input still fills whole maxi-batches.
class LineSource {
public:
    explicit LineSource(const std::string& path);
    bool next(std::string& line);
    // True when reading the next line would wait for more input (stdin only).
    bool would_block();
    int64_t line_number() const;  // 1-based, of the last line read
    const std::string& name() const { return name_; }

private:
    bool fill(bool wait);  // reads what fd 0 has; false at end of input

    std::unique_ptr<TextReader> file_;
    std::string name_;
    int64_t stdin_line_ = 0;
    std::string buf_;
    size_t pos_ = 0;
    bool eof_ = false;
};

// The id of the tag <2xx> for `requested`, or -1 for a model without tags. UserError when a
// multilingual model gets no --target-lang or one it does not know (listing its languages).
// A model without tags ignores --target-lang with a warning (appended to `warnings`).
int64_t target_language_tag(const std::vector<std::string>& target_languages,
                            const std::string& requested, const Vocab& vocab,
                            std::vector<std::string>& warnings);

struct SourceLimits {
    int64_t max_length = 1000;  // tokens, tag included, </s> not
    bool crop = true;
};

// Ids of one line (tag first when tag >= 0), cropped to max_length. `what` names the line
// in messages ("input.txt line 7"). Over-long input: a warning in `warnings` when cropping,
// else UserError.
std::vector<int64_t> encode_line(const std::string& line, const Vocab& vocab, int64_t tag,
                                 const SourceLimits& limits, const std::string& what,
                                 std::vector<std::string>& warnings);

// A loaded model ready for inference: weights, its vocabulary and the source tag to use.
struct InferenceModel {
    LoadedModel loaded;
    Vocab vocab;
    int64_t tag = -1;  // <2xx> id, or -1
    std::vector<int64_t> tag_ids;  // every <2xx> of the vocabulary: never a translation's word
};
// Loads the model file and its vocabulary, checks that they agree, resolves --target-lang.
InferenceModel load_inference_model(const std::string& path, const std::string& target_lang,
                                    std::vector<std::string>& warnings);

// "id ||| translation ||| F0= score ||| total" (Marian's n-best line, no newline).
std::string nbest_line(int64_t id, const std::string& translation, const Hypothesis& h);

// A score in an n-best line: a float with 6 significant digits, as Marian's n-best output.
std::string format_score(double score);

// A sentence score as Marian's scorer prints it: fixed-point with 6 decimals ("%f"), so two
// systems' scores of long sentences compare to 1e-6 (6 significant digits lose that).
std::string format_sentence_score(double score);

}  // namespace deepnet
