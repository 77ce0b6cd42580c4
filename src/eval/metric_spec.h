// One metric of `deepnet eval` (BLEU, chrF or TER with its options) seen as sacreBLEU's
// Metric base class sees it: per-segment sufficient statistics that add up, a score from
// summed statistics, a name and a signature. Significance tests and multi-system tables
// work on this interface.
#pragma once

#include <string>
#include <vector>

#include "src/eval/bleu.h"
#include "src/eval/chrf.h"
#include "src/eval/ter.h"

namespace deepnet::eval {

enum class MetricKind { Bleu, Chrf, Ter };

struct MetricSpec {
    MetricKind kind = MetricKind::Bleu;
    BleuOptions bleu;
    ChrfOptions chrf;
    TerOptions ter;
};

// How significance.py holds the statistics it sums: Python numbers (sum_of_lists, and the
// int64 / float64 arrays of the approximate randomization test), or the float32 array of
// its bootstrap resampling.
enum class StatsArith { Python, Float32 };

// A system's statistics: segments[i] holds, as doubles, BLEU's [hyp_len, ref_len,
// correct..., total...], chrF's [hyp, ref, match] per order, or TER's [edits, ref_len].
struct SystemStats {
    std::vector<std::vector<double>> segments;
    int nrefs = 0;  // -1 when it varies
};

SystemStats metric_stats(const MetricSpec& spec, const std::vector<std::string>& hyps,
                         const std::vector<std::vector<std::string>>& refs);

// sum_of_lists: element-wise, in segment order.
std::vector<double> sum_stats(const SystemStats& stats);

// _compute_score_from_stats. With Float32 the values are float32 sums already (see
// significance.h) and chrF / TER ratios are taken in float32 as numpy does.
double metric_score(const MetricSpec& spec, const std::vector<double>& summed,
                    StatsArith arith = StatsArith::Python);

// The score's name: "BLEU", "chrF2", "chrF2++", "TER".
std::string metric_name(const MetricSpec& spec);

// What sacreBLEU prints after the score: BLEU's "90.0/37.5/33.3/25.0 (BP = 0.905 ratio =
// 0.909 hyp_len = 10 ref_len = 11)", nothing for chrF and TER.
std::string metric_verbose(const MetricSpec& spec, const std::vector<double>& summed);

// The signature; `extra` ("bs:1000|seed:12345") goes after nrefs, where sacreBLEU puts it.
std::string metric_signature(const MetricSpec& spec, int nrefs, const std::string& extra = "");

// The short form of a signature (sacreBLEU's --short, Signature.format(short=True)): every
// key replaced by its abbreviation, values and order kept. The tables are the `_abbr`
// dicts of metrics/base.py (version v, nrefs #, bs bs, ar ar, seed rs, test t, lang l,
// origlang o, subset S) updated by each metric: BLEU case c, eff e, tok tok, smooth s;
// chrF case c, eff e, nc nc, nw nw, space s; TER case c, tok t, norm nr, punct pn, asian as.
// "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.4.0" gives
// "#:1|c:mixed|e:no|tok:13a|s:exp|v:2.4.0".
std::string short_signature(const MetricSpec& spec, const std::string& signature);

}  // namespace deepnet::eval
