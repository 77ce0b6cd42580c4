// The Metric interface over BLEU, chrF and TER (metric_spec.h).
#include "src/eval/metric_spec.h"

#include <map>

#include "src/core/error.h"
#include "src/eval/metric_input.h"

namespace deepnet::eval {

namespace {

BleuStats to_bleu_stats(const std::vector<double>& v, int order) {
    BleuStats s;
    s.sys_len = static_cast<int64_t>(v[0]);
    s.ref_len = static_cast<int64_t>(v[1]);
    for (int n = 0; n < order; ++n) {
        s.correct.push_back(static_cast<int64_t>(v[2 + n]));
        s.total.push_back(static_cast<int64_t>(v[2 + order + n]));
    }
    return s;
}

std::vector<int64_t> to_ints(const std::vector<double>& v) {
    return std::vector<int64_t>(v.begin(), v.end());
}

}  // namespace

SystemStats metric_stats(const MetricSpec& spec, const std::vector<std::string>& hyps,
                         const std::vector<std::vector<std::string>>& refs) {
    SystemStats out;
    switch (spec.kind) {
        case MetricKind::Bleu:
            for (const BleuStats& s : bleu_segment_stats(hyps, refs, spec.bleu, &out.nrefs)) {
                std::vector<double> v{static_cast<double>(s.sys_len), static_cast<double>(s.ref_len)};
                for (int64_t c : s.correct) v.push_back(static_cast<double>(c));
                for (int64_t t : s.total) v.push_back(static_cast<double>(t));
                out.segments.push_back(std::move(v));
            }
            break;
        case MetricKind::Chrf:
            for (const auto& s : chrf_segment_stats(hyps, refs, spec.chrf, &out.nrefs))
                out.segments.emplace_back(s.begin(), s.end());
            break;
        case MetricKind::Ter:
            for (const TerStats& s : ter_segment_stats(hyps, refs, spec.ter, &out.nrefs))
                out.segments.push_back({static_cast<double>(s.edits), s.ref_len});
            break;
    }
    return out;
}

std::vector<double> sum_stats(const SystemStats& stats) {
    DEEPNET_CHECK(!stats.segments.empty(), "no segments to sum");
    std::vector<double> sum(stats.segments[0].size(), 0.0);
    for (const auto& seg : stats.segments)
        for (std::size_t k = 0; k < sum.size(); ++k) sum[k] += seg[k];
    return sum;
}

double metric_score(const MetricSpec& spec, const std::vector<double>& summed, StatsArith arith) {
    switch (spec.kind) {
        case MetricKind::Bleu:
            // Counts are integers, exact as float32 below 2^24, and the precisions are
            // taken in double either way (100. * np.float32 is a float64).
            return compute_bleu(to_bleu_stats(summed, spec.bleu.max_ngram_order), spec.bleu).score;
        case MetricKind::Chrf:
            return arith == StatsArith::Float32 ? compute_chrf_float32(to_ints(summed), spec.chrf)
                                                : compute_chrf(to_ints(summed), spec.chrf);
        case MetricKind::Ter: {
            const double edits = summed[0], ref_len = summed[1];
            if (arith == StatsArith::Float32 && ref_len > 0)  // np.float32 / np.float32
                return 100 * static_cast<double>(static_cast<float>(edits) / static_cast<float>(ref_len));
            return compute_ter(static_cast<int64_t>(edits), ref_len).score;
        }
    }
    return 0.0;
}

std::string metric_name(const MetricSpec& spec) {
    switch (spec.kind) {
        case MetricKind::Bleu: return "BLEU";
        case MetricKind::Chrf:
            return "chrF" + std::to_string(spec.chrf.beta) +
                   std::string(static_cast<std::size_t>(spec.chrf.word_order), '+');
        case MetricKind::Ter: return "TER";
    }
    return "";
}

std::string metric_verbose(const MetricSpec& spec, const std::vector<double>& summed) {
    if (spec.kind != MetricKind::Bleu) return "";
    // format_bleu's line is "BLEU = <score> <verbose>"; the verbose part has fixed widths.
    const std::string line =
        format_bleu(compute_bleu(to_bleu_stats(summed, spec.bleu.max_ngram_order), spec.bleu), 1);
    const std::size_t score_start = line.find(" = ") + 3;
    return line.substr(line.find(' ', score_start) + 1);
}

std::string metric_signature(const MetricSpec& spec, int nrefs, const std::string& extra) {
    std::string sig;
    switch (spec.kind) {
        case MetricKind::Bleu: sig = bleu_signature(spec.bleu, nrefs); break;
        case MetricKind::Chrf: sig = chrf_signature(spec.chrf, nrefs); break;
        case MetricKind::Ter: sig = ter_signature(spec.ter, nrefs); break;
    }
    if (extra.empty()) return sig;
    const std::size_t bar = sig.find('|');
    return sig.substr(0, bar) + "|" + extra + sig.substr(bar);
}

std::string short_signature(const MetricSpec& spec, const std::string& signature) {
    // metrics/base.py Signature.__init__: the keys every metric shares.
    std::map<std::string, std::string> abbr{{"version", "v"}, {"nrefs", "#"},  {"test", "t"},
                                            {"lang", "l"},    {"subset", "S"},  {"origlang", "o"},
                                            {"bs", "bs"},     {"ar", "ar"},     {"seed", "rs"}};
    // Each metric's Signature subclass: self._abbr.update({...}).
    switch (spec.kind) {
        case MetricKind::Bleu:  // metrics/bleu.py BLEUSignature
            abbr.insert({{"case", "c"}, {"eff", "e"}, {"tok", "tok"}, {"smooth", "s"}});
            break;
        case MetricKind::Chrf:  // metrics/chrf.py CHRFSignature
            abbr.insert({{"case", "c"}, {"eff", "e"}, {"nc", "nc"}, {"nw", "nw"}, {"space", "s"}});
            break;
        case MetricKind::Ter:  // metrics/ter.py TERSignature
            abbr.insert({{"case", "c"}, {"tok", "t"}, {"norm", "nr"}, {"punct", "pn"}, {"asian", "as"}});
            break;
    }
    // Signature.format(short=True): f'{self._abbr[name]}:{value}' joined by '|'.
    std::string out;
    std::size_t start = 0;
    while (start <= signature.size()) {
        std::size_t bar = signature.find('|', start);
        if (bar == std::string::npos) bar = signature.size();
        const std::string field = signature.substr(start, bar - start);
        const std::size_t colon = field.find(':');
        DEEPNET_CHECK(colon != std::string::npos, "signature field without ':': " << field);
        const auto it = abbr.find(field.substr(0, colon));
        DEEPNET_CHECK(it != abbr.end(), "no abbreviation for signature key " << field.substr(0, colon));
        if (!out.empty()) out += "|";
        out += it->second + field.substr(colon);
        start = bar + 1;
    }
    return out;
}

}  // namespace deepnet::eval
