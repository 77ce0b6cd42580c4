// Corpus- and sentence-level BLEU identical to sacreBLEU 2.x (metrics/bleu.py):
//   p_n = 100 * correct_n / total_n (clipped n-gram matches, max count over references),
//   BP  = 1 if sys_len >= ref_len else exp(1 - ref_len / sys_len) (0 when sys_len == 0),
//   BLEU = BP * exp(mean_{n <= N} log p_n), log 0 taken as -9999999999,
// where ref_len sums, per segment, the reference length closest to the hypothesis length
// (ties go to the shorter reference). Smoothing 'exp' (default), 'floor', 'add-k', 'none'.
// Input lines are UTF-8; references are refs[r][i] (stream r, segment i), as in sacreBLEU.
// An empty reference string means "no reference for this segment in this stream".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "src/eval/metric_input.h"
#include "src/eval/tokenizers.h"

namespace deepnet::eval {

enum class BleuSmooth { None, Floor, AddK, Exp };

// "none", "floor", "add-k", "exp"; anything else is a UserError.
BleuSmooth parse_bleu_smooth(const std::string& name);

struct BleuOptions {
    Tokenizer tokenizer = Tokenizer::V13a;
    bool lowercase = false;
    BleuSmooth smooth = BleuSmooth::Exp;
    // nullopt: sacreBLEU's default for the method (floor 0.1, add-k 1); unused otherwise.
    std::optional<double> smooth_value;
    int max_ngram_order = 4;
    // Stop the geometric mean at the highest order with any hypothesis n-gram. sacreBLEU's
    // corpus default is off; sentence-level callers usually want it on.
    bool effective_order = false;
};

// Sufficient statistics; they add up over segments.
struct BleuStats {
    int64_t sys_len = 0;
    int64_t ref_len = 0;
    std::vector<int64_t> correct;  // [max_ngram_order]
    std::vector<int64_t> total;    // [max_ngram_order]
};

struct BleuScore {
    double score = 0.0;              // 0..100
    std::vector<int64_t> counts;     // matched n-grams per order (before add-k)
    std::vector<int64_t> totals;     // hypothesis n-grams per order (before add-k)
    std::vector<double> precisions;  // percent, after smoothing
    double bp = 0.0;
    int64_t sys_len = 0;
    int64_t ref_len = 0;
    int nrefs = 0;  // references per segment; -1 when it varies ("var" in the signature)

    double ratio() const;
};

BleuScore corpus_bleu(const std::vector<std::string>& hyps,
                      const std::vector<std::vector<std::string>>& refs,
                      const BleuOptions& opts = {});

// One hypothesis against its references (refs[r]); sacreBLEU's BLEU.sentence_score.
// sacreBLEU's sacrebleu.sentence_bleu() turns effective_order on: set it to match that.
BleuScore sentence_bleu(const std::string& hyp, const std::vector<std::string>& refs,
                        const BleuOptions& opts = {});

// Per-segment statistics (for later aggregation, e.g. bootstrap resampling).
std::vector<BleuStats> bleu_segment_stats(const std::vector<std::string>& hyps,
                                          const std::vector<std::vector<std::string>>& refs,
                                          const BleuOptions& opts, int* nrefs = nullptr);

// sacreBLEU's BLEU.compute_bleu: the score from (summed) statistics.
BleuScore compute_bleu(const BleuStats& stats, const BleuOptions& opts);

// "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)"
std::string format_bleu(const BleuScore& score, int width = 2);

// "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.4.0"
std::string bleu_signature(const BleuOptions& opts, int nrefs);

}  // namespace deepnet::eval
