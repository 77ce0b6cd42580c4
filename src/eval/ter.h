// Translation edit rate as sacreBLEU 2.x computes it (metrics/ter.py, lib_ter.py):
//   per segment: edits = min over references of ter_num_edits (ter_edits.h) on
//   TercomTokenizer output (ter_tokenizer.h, after rstrip), ref_len = mean reference
//   length in words; corpus: TER = 100 * sum(edits) / sum(ref_len), 100 when the summed
//   reference length is 0 and there are edits, 0 when there are none.
// Defaults are tercom's: case-insensitive, no normalisation, punctuation kept.
// References are refs[r][i] (stream r, segment i); an empty reference string means "no
// reference for this segment in this stream" (see bleu.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "src/eval/ter_tokenizer.h"

namespace deepnet::eval {

// Sufficient statistics; they add up over segments (ref_len in sacreBLEU's order).
struct TerStats {
    int64_t edits = 0;
    double ref_len = 0.0;  // mean reference length; fractional with several references
};

struct TerScore {
    double score = 0.0;  // 0..100 and beyond (more edits than reference words)
    int64_t num_edits = 0;
    double ref_length = 0.0;
    int nrefs = 0;  // references per segment; -1 when it varies
};

std::vector<TerStats> ter_segment_stats(const std::vector<std::string>& hyps,
                                        const std::vector<std::vector<std::string>>& refs,
                                        const TerOptions& opts, int* nrefs = nullptr);

// sacreBLEU's TER._compute_score_from_stats on summed statistics.
TerScore compute_ter(int64_t edits, double ref_len);

TerScore corpus_ter(const std::vector<std::string>& hyps,
                    const std::vector<std::vector<std::string>>& refs, const TerOptions& opts = {});

TerScore sentence_ter(const std::string& hyp, const std::vector<std::string>& refs,
                      const TerOptions& opts = {});

// "TER = 27.27"
std::string format_ter(const TerScore& score, int width = 2);

// "nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.4.0"
std::string ter_signature(const TerOptions& opts, int nrefs);

}  // namespace deepnet::eval
