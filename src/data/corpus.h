// The training (or validation) corpora in memory, tokenised: token ids without <s>/</s>,
// kept once per file pair in flat int32 arrays (a reversed direction shares them).
// Every pair of every direction has a global id 0..total_pairs()-1, direction by direction;
// the batcher works on these ids. Loading checks, before training starts, that files exist,
// are valid UTF-8 and have equal line counts; it skips (and counts) empty and too-long pairs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "src/data/corpus_plan.h"
#include "src/data/vocab.h"

namespace deepnet {

// What happened to the lines of one file pair (for the caller to log).
struct CorpusStats {
    std::string source_file, target_file;
    int64_t lines = 0;             // line pairs read
    int64_t empty_skipped = 0;     // either side had no tokens
    int64_t too_long_skipped = 0;  // either side longer than max_length tokens
    int64_t kept = 0;
};

struct LoadOptions {
    int64_t max_length = 0;  // 0 = no limit (validation)
    bool skip_empty = true;  // false for validation, where line i must stay line i
    int64_t threads = 0;     // tokenisation threads; 0 = all cores
};

// Token ids of one side of a file pair: line i is ids[offsets[i] .. offsets[i+1]).
struct TokenColumn {
    std::vector<int32_t> ids;
    std::vector<int64_t> offsets{0};
    int64_t size() const { return int64_t(offsets.size()) - 1; }
    int64_t length(int64_t i) const { return offsets[i + 1] - offsets[i]; }
};

class ParallelData {
public:
    ParallelData(CorpusPlan plan, std::vector<TokenColumn> sources, std::vector<TokenColumn> targets,
                 std::vector<CorpusStats> stats, std::vector<int32_t> tag_ids);

    const CorpusPlan& plan() const { return plan_; }
    int64_t num_corpora() const { return int64_t(plan_.corpora.size()); }
    int64_t corpus_size(int64_t c) const { return begin_[c + 1] - begin_[c]; }
    int64_t corpus_begin(int64_t c) const { return begin_[c]; }  // first global pair id
    int64_t total_pairs() const { return begin_.back(); }
    int64_t corpus_of(int64_t pair) const;

    // Lengths as the model sees the content: the source includes the tag, if any.
    int64_t source_length(int64_t pair) const;
    int64_t target_length(int64_t pair) const;
    // Token ids ready for make_batch: [tag] + source tokens, and the target tokens.
    std::vector<int64_t> source(int64_t pair) const;
    std::vector<int64_t> target(int64_t pair) const;

    const std::vector<CorpusStats>& stats() const { return stats_; }  // per file pair
    const std::vector<std::string>& languages() const { return plan_.languages; }
    // Hash of the plan and every token id: store it with a checkpoint's data position and
    // compare on resume, since a changed corpus makes the position meaningless.
    uint64_t fingerprint() const { return fingerprint_; }

private:
    struct Side {
        const TokenColumn* column;
        int64_t line;
    };
    Side source_side(int64_t pair) const;
    Side target_side(int64_t pair) const;

    CorpusPlan plan_;
    std::vector<TokenColumn> sources_, targets_;  // per file pair
    std::vector<CorpusStats> stats_;
    std::vector<int32_t> tag_ids_;  // per direction; -1 = no tag
    std::vector<int64_t> begin_;    // per direction + end
    uint64_t fingerprint_ = 0;
};

// Reads and tokenises every file pair of `plan`. Throws UserError, naming the file (and
// line), for a missing file, invalid UTF-8, different line counts (both counts), a tag the
// vocabulary lacks, or no usable pair at all.
ParallelData load_corpora(const CorpusPlan& plan, const Vocab& vocab, const LoadOptions& options);

}  // namespace deepnet
