// chrF / chrF++ as sacreBLEU 2.x computes them (metrics/chrf.py); formulas in chrf.h.
#include "src/eval/chrf.h"

#include <algorithm>
#include <unordered_map>

#include "src/core/error.h"
#include "src/eval/metric_input.h"
#include "src/eval/unicode_text.h"

namespace deepnet::eval {

namespace {

// One counter per order: char orders first, then word orders. Word n-gram keys join
// words with ' ', unambiguous since words never contain whitespace.
using Counter = std::unordered_map<std::u32string, int64_t>;
using OrderCounters = std::vector<Counter>;

void check_options(const ChrfOptions& o) {
    DEEPNET_USER_CHECK(o.char_order >= 0 && o.word_order >= 0 && o.char_order + o.word_order > 0,
                       "chrF orders must be >= 0 and not both 0, got char_order "
                           << o.char_order << " word_order " << o.word_order);
    DEEPNET_USER_CHECK(o.beta >= 0, "chrF beta must be >= 0, got " << o.beta);
}

bool is_ascii_punct(char32_t c) {  // Python's string.punctuation
    return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
           (c >= 0x7B && c <= 0x7E);
}

// sacreBLEU's _remove_punctuation: only one mark comes off, the last if it is one, else
// the first; so "(hi)" gives "(hi" and ")" (sacreBLEU issue #124, kept for parity).
std::vector<std::u32string_view> split_words(std::u32string_view line) {
    std::vector<std::u32string_view> out;
    for (std::u32string_view w : py_split(line)) {
        if (w.size() == 1) {
            out.push_back(w);
        } else if (is_ascii_punct(w.back())) {
            out.push_back(w.substr(0, w.size() - 1));
            out.push_back(w.substr(w.size() - 1));
        } else if (is_ascii_punct(w.front())) {
            out.push_back(w.substr(0, 1));
            out.push_back(w.substr(1));
        } else {
            out.push_back(w);
        }
    }
    return out;
}

OrderCounters extract_all(std::u32string_view line, const ChrfOptions& o) {
    OrderCounters out(static_cast<std::size_t>(o.char_order + o.word_order));
    const std::u32string chars = o.whitespace ? std::u32string(line) : remove_whitespace(line);
    for (int n = 1; n <= o.char_order; ++n)
        for (std::size_t i = 0; i + static_cast<std::size_t>(n) <= chars.size(); ++i)
            ++out[n - 1][chars.substr(i, static_cast<std::size_t>(n))];
    if (o.word_order == 0) return out;
    const std::vector<std::u32string_view> words = split_words(line);
    for (int n = 1; n <= o.word_order; ++n) {
        for (std::size_t i = 0; i + static_cast<std::size_t>(n) <= words.size(); ++i) {
            std::u32string key(words[i]);
            for (int k = 1; k < n; ++k) key.append(U" ").append(words[i + k]);
            ++out[o.char_order + n - 1][key];
        }
    }
    return out;
}

// [hyp, ref, match] for one order; hyp counts nothing when the reference has no n-grams.
void match_stats(const Counter& hyp, const Counter& ref, std::vector<int64_t>& out) {
    int64_t hyp_count = 0, ref_count = 0, match = 0;
    for (const auto& [ngram, count] : hyp) {
        hyp_count += count;
        const auto it = ref.find(ngram);
        if (it != ref.end()) match += std::min(count, it->second);
    }
    for (const auto& entry : ref) ref_count += entry.second;
    out.push_back(ref.empty() ? 0 : hyp_count);
    out.push_back(ref_count);
    out.push_back(match);
}

std::u32string preprocess(const std::u32string& line, const ChrfOptions& o) {
    return o.lowercase ? py_lower(line) : line;
}

}  // namespace

namespace {

// CHRF._compute_f_score. `Ratio` is the type of n_match / n_hyp: double for Python ints,
// float for the float32 statistics of significance.py's bootstrap (numpy rounds each
// ratio to float32, then mixes it with Python numbers in double precision).
template <class Ratio>
double f_score(const std::vector<int64_t>& stats, const ChrfOptions& o) {
    check_options(o);
    const int order = o.char_order + o.word_order;
    DEEPNET_CHECK(stats.size() == static_cast<std::size_t>(3 * order),
                  "chrF stats have " << stats.size() << " entries, expected " << 3 * order);
    const double eps = 1e-16;
    const double factor = static_cast<double>(o.beta * o.beta);
    double score = 0.0, avg_prec = 0.0, avg_rec = 0.0;
    int effective_order = 0;
    for (int i = 0; i < order; ++i) {
        const int64_t n_hyp = stats[3 * i], n_ref = stats[3 * i + 1], n_match = stats[3 * i + 2];
        const double prec =
            n_hyp > 0 ? static_cast<double>(static_cast<Ratio>(n_match) / static_cast<Ratio>(n_hyp)) : eps;
        const double rec =
            n_ref > 0 ? static_cast<double>(static_cast<Ratio>(n_match) / static_cast<Ratio>(n_ref)) : eps;
        const double denom = factor * prec + rec;
        score += denom > 0 ? (1 + factor) * prec * rec / denom : eps;
        if (n_hyp > 0 && n_ref > 0) {
            avg_prec += prec;
            avg_rec += rec;
            ++effective_order;
        }
    }
    if (o.eps_smoothing) return 100 * score / order;
    if (effective_order == 0) return 0.0;
    avg_prec /= effective_order;
    avg_rec /= effective_order;
    if (avg_prec + avg_rec == 0.0) return 0.0;
    score = (1 + factor) * avg_prec * avg_rec;
    score /= factor * avg_prec + avg_rec;
    return 100 * score;
}

}  // namespace

double compute_chrf(const std::vector<int64_t>& stats, const ChrfOptions& o) {
    return f_score<double>(stats, o);
}

double compute_chrf_float32(const std::vector<int64_t>& stats, const ChrfOptions& o) {
    return f_score<float>(stats, o);
}

std::vector<std::vector<int64_t>> chrf_segment_stats(
    const std::vector<std::string>& hyps, const std::vector<std::vector<std::string>>& refs,
    const ChrfOptions& opts, int* nrefs) {
    check_options(opts);
    const DecodedCorpus corpus = decode_corpus(hyps, refs);
    if (nrefs) *nrefs = corpus.nrefs;
    std::vector<std::vector<int64_t>> out;
    out.reserve(corpus.hyps.size());
    for (std::size_t i = 0; i < corpus.hyps.size(); ++i) {
        const OrderCounters hyp = extract_all(preprocess(corpus.hyps[i], opts), opts);
        std::vector<int64_t> best;
        double best_f = -1.0;
        for (const std::u32string& ref_line : corpus.refs[i]) {
            const OrderCounters ref = extract_all(preprocess(ref_line, opts), opts);
            std::vector<int64_t> stats;
            for (std::size_t n = 0; n < hyp.size(); ++n) match_stats(hyp[n], ref[n], stats);
            const double f = compute_chrf(stats, opts);
            if (f > best_f) {
                best_f = f;
                best = std::move(stats);
            }
        }
        out.push_back(std::move(best));
    }
    return out;
}

ChrfScore corpus_chrf(const std::vector<std::string>& hyps,
                      const std::vector<std::vector<std::string>>& refs,
                      const ChrfOptions& opts) {
    ChrfScore s;
    const auto per_segment = chrf_segment_stats(hyps, refs, opts, &s.nrefs);
    s.stats.assign(static_cast<std::size_t>(3 * (opts.char_order + opts.word_order)), 0);
    for (const auto& seg : per_segment)
        for (std::size_t k = 0; k < seg.size(); ++k) s.stats[k] += seg[k];
    s.score = compute_chrf(s.stats, opts);
    s.char_order = opts.char_order;
    s.word_order = opts.word_order;
    s.beta = opts.beta;
    return s;
}

ChrfScore sentence_chrf(const std::string& hyp, const std::vector<std::string>& refs,
                        const ChrfOptions& opts) {
    std::vector<std::vector<std::string>> streams;
    streams.reserve(refs.size());
    for (const std::string& r : refs) streams.push_back({r});
    return corpus_chrf({hyp}, streams, opts);
}

std::string format_chrf(const ChrfScore& s, int width) {
    // chrF++ is named by one '+' per word order: "chrF2++".
    const std::string pluses(static_cast<std::size_t>(s.word_order), '+');
    return "chrF" + std::to_string(s.beta) + pluses + " = " + format_fixed(s.score, width);
}

std::string chrf_signature(const ChrfOptions& o, int nrefs) {
    return nrefs_field(nrefs) + "|case:" + (o.lowercase ? "lc" : "mixed") +
           "|eff:" + (o.eps_smoothing ? "no" : "yes") + "|nc:" + std::to_string(o.char_order) +
           "|nw:" + std::to_string(o.word_order) + "|space:" + (o.whitespace ? "yes" : "no") +
           "|version:" + kSacrebleuCompatVersion;
}

}  // namespace deepnet::eval
