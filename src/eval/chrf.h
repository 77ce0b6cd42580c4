// chrF and chrF++ identical to sacreBLEU 2.x (metrics/chrf.py).
// Per order n (character orders 1..char_order, then word orders 1..word_order), counts
// hyp / ref / matched n-grams (matches clipped to the reference count); per segment the
// reference with the highest F wins (the first one on ties); statistics add up over the
// corpus. Default smoothing ("effective order", eff:yes): average precision P and recall R
// over the orders where both hypothesis and reference have n-grams, then
//   chrF = 100 * (1 + beta^2) P R / (beta^2 P + R).
// eps_smoothing (eff:no) is chrF++.py's: the mean over all orders of the per-order F, with
// 1e-16 standing in for an undefined precision, recall or F.
// Characters exclude whitespace unless `whitespace`; word n-grams come from whitespace
// tokens with one ASCII punctuation mark split off the end (else the start) of each token.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace deepnet::eval {

struct ChrfOptions {
    int char_order = 6;
    int word_order = 0;  // 2 gives chrF++
    int beta = 2;
    bool lowercase = false;
    bool whitespace = false;  // keep whitespace inside character n-grams
    bool eps_smoothing = false;
};

struct ChrfScore {
    double score = 0.0;  // 0..100
    int char_order = 6;
    int word_order = 0;
    int beta = 2;
    int nrefs = 0;               // references per segment; -1 when it varies
    std::vector<int64_t> stats;  // [3 * (char_order + word_order)]: hyp, ref, match per order
};

// Per-segment statistics of the best-matching reference: [3 * (char_order + word_order)].
std::vector<std::vector<int64_t>> chrf_segment_stats(
    const std::vector<std::string>& hyps, const std::vector<std::vector<std::string>>& refs,
    const ChrfOptions& opts, int* nrefs = nullptr);

// sacreBLEU's CHRF._compute_f_score on summed statistics, 0..100.
double compute_chrf(const std::vector<int64_t>& stats, const ChrfOptions& opts);

// compute_chrf on statistics that significance.py holds as numpy float32 (its bootstrap
// resampling): each n_match / n_hyp and n_match / n_ref ratio is rounded to float32.
double compute_chrf_float32(const std::vector<int64_t>& stats, const ChrfOptions& opts);

// refs[r][i] is stream r, segment i; empty reference strings are skipped (see bleu.h).
ChrfScore corpus_chrf(const std::vector<std::string>& hyps,
                      const std::vector<std::vector<std::string>>& refs,
                      const ChrfOptions& opts = {});

ChrfScore sentence_chrf(const std::string& hyp, const std::vector<std::string>& refs,
                        const ChrfOptions& opts = {});

// "chrF2 = 59.73", "chrF2++ = 58.22"
std::string format_chrf(const ChrfScore& score, int width = 2);

// "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.4.0"
std::string chrf_signature(const ChrfOptions& opts, int nrefs);

}  // namespace deepnet::eval
