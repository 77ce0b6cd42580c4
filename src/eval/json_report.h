// sacreBLEU 2.x's JSON output (-f json), written as Python's json module writes it:
//   - one system: each metric is Score.format(is_json=True) (metrics/base.py),
//     json.dumps(d, indent=1, ensure_ascii=False) of name, score (rounded to --width, then
//     a float), signature, confidence_mean / confidence_var / confidence (with
//     --confidence, when the mean is positive), verbose_score (BLEU), then one string
//     entry per signature field ("nrefs": "1", ...); utils.print_single_results prints one
//     metric alone and several as '[\n' + ',\n'.join(...) + '\n]'. With -b the entries are
//     the bare score strings, joined the same way;
//   - several systems (utils.print_results_table): json.dumps(list, indent=4) (ASCII only,
//     the default), one object per system: "system", then one entry per metric: the score
//     rounded to --width as a string, or for --paired-bs / --paired-ar the test's Result
//     (significance.py) as {"score", "p_value", "mean", "ci"}, numbers at full precision
//     and null where the test has none (the baseline's p_value; mean and ci of --paired-ar).
// No signatures are printed for several systems, as in sacreBLEU.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/eval/significance.h"

namespace deepnet::eval {

// repr(float), which json.dumps writes: the shortest digits that read back to the same
// double, exponent form below 1e-4 and from 1e16 ("1e-05", "1.5e+16"), else fixed with at
// least one decimal ("100.0"); NaN and infinities as json writes them.
std::string py_float_repr(double x);

// A JSON string literal of UTF-8 text, escaped as json.dumps does; ensure_ascii writes
// every non-ASCII code point (and DEL) as \uXXXX, astral ones as a surrogate pair, and
// bytes that are not UTF-8 as Python's surrogateescape does (\udcXX).
std::string json_string(std::string_view utf8, bool ensure_ascii);

struct ScoreJson {
    std::string name;       // "BLEU"
    double score = 0.0;
    std::string signature;  // long form
    std::string verbose;    // BLEU's "42.9/16.7/... (BP = ...)", else empty
    std::optional<ConfidenceInterval> confidence;  // shown when its mean is positive
};

// Score.format(width, signature=..., is_json=True).
std::string score_json(const ScoreJson& s, int width);

// print_single_results in JSON mode over the formatted results of each metric.
std::string single_results_json(const std::vector<std::string>& results);

struct JsonColumn {
    std::string header;                 // the metric's name: "BLEU", "chrF2", "TER"
    std::vector<std::string> scores;    // one per system, without a paired test
    std::vector<PairedResult> paired;   // one per system, with one
};

// print_results_table in JSON mode.
std::string multi_results_json(const std::vector<std::string>& systems,
                               const std::vector<JsonColumn>& columns);

}  // namespace deepnet::eval
