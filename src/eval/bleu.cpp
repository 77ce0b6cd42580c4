// BLEU as sacreBLEU 2.x computes it (metrics/bleu.py); formulas in bleu.h.
#include "src/eval/bleu.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "src/core/error.h"
#include "src/eval/metric_input.h"
#include "src/eval/unicode_text.h"

namespace deepnet::eval {

namespace {

// Keys are tokens joined by ' ': unambiguous, since tokens never contain whitespace.
using NgramCounts = std::unordered_map<std::string, int64_t>;

struct RefInfo {
    std::vector<NgramCounts> max_counts;  // [order]: max count over the references
    std::vector<int64_t> lens;            // token count of each reference
};

void check_options(const BleuOptions& o) {
    DEEPNET_USER_CHECK(o.max_ngram_order >= 1,
                       "BLEU max_ngram_order must be >= 1, got " << o.max_ngram_order);
}

double smooth_value_or_default(const BleuOptions& o) {
    if (o.smooth_value) return *o.smooth_value;
    if (o.smooth == BleuSmooth::Floor) return 0.1;
    if (o.smooth == BleuSmooth::AddK) return 1.0;
    return 0.0;
}

// sacreBLEU's _preprocess_segment: lower-case first, then rstrip, then tokenize.
std::vector<std::string> preprocess(std::u32string_view line, const BleuOptions& o) {
    std::u32string lowered;
    if (o.lowercase) {
        lowered = py_lower(line);
        line = lowered;
    }
    const std::u32string tokenized = tokenize(py_rstrip(line), o.tokenizer);
    std::vector<std::string> tokens;
    for (std::u32string_view t : py_split(tokenized)) tokens.push_back(encode_utf8(t));
    return tokens;
}

std::vector<NgramCounts> extract_ngrams(const std::vector<std::string>& tokens, int max_order) {
    std::vector<NgramCounts> out(static_cast<std::size_t>(max_order));
    for (int n = 1; n <= max_order; ++n) {
        for (std::size_t i = 0; i + static_cast<std::size_t>(n) <= tokens.size(); ++i) {
            std::string key = tokens[i];
            for (int k = 1; k < n; ++k) key.append(" ").append(tokens[i + k]);
            ++out[n - 1][key];
        }
    }
    return out;
}

RefInfo reference_info(const std::vector<std::u32string>& refs, const BleuOptions& o) {
    RefInfo info;
    info.max_counts.resize(static_cast<std::size_t>(o.max_ngram_order));
    for (const std::u32string& ref : refs) {
        const std::vector<std::string> tokens = preprocess(ref, o);
        info.lens.push_back(static_cast<int64_t>(tokens.size()));
        std::vector<NgramCounts> ngrams = extract_ngrams(tokens, o.max_ngram_order);
        for (std::size_t n = 0; n < ngrams.size(); ++n)
            for (const auto& [key, count] : ngrams[n]) {
                int64_t& best = info.max_counts[n][key];
                best = std::max(best, count);
            }
    }
    return info;
}

// Closest reference length; on a tie the shorter one (sacreBLEU's _get_closest_ref_len).
int64_t closest_ref_len(int64_t hyp_len, const std::vector<int64_t>& ref_lens) {
    int64_t closest_diff = -1, closest_len = -1;
    for (int64_t len : ref_lens) {
        const int64_t diff = hyp_len > len ? hyp_len - len : len - hyp_len;
        if (closest_diff == -1 || diff < closest_diff) {
            closest_diff = diff;
            closest_len = len;
        } else if (diff == closest_diff && len < closest_len) {
            closest_len = len;
        }
    }
    return closest_len;
}

BleuStats segment_stats(std::u32string_view hyp, const RefInfo& ref, const BleuOptions& o) {
    const std::vector<std::string> tokens = preprocess(hyp, o);
    BleuStats st;
    st.sys_len = static_cast<int64_t>(tokens.size());
    st.ref_len = closest_ref_len(st.sys_len, ref.lens);
    st.correct.assign(static_cast<std::size_t>(o.max_ngram_order), 0);
    st.total.assign(static_cast<std::size_t>(o.max_ngram_order), 0);
    const std::vector<NgramCounts> ngrams = extract_ngrams(tokens, o.max_ngram_order);
    for (std::size_t n = 0; n < ngrams.size(); ++n) {
        for (const auto& [key, count] : ngrams[n]) {
            st.total[n] += count;
            const auto it = ref.max_counts[n].find(key);
            if (it != ref.max_counts[n].end()) st.correct[n] += std::min(count, it->second);
        }
    }
    return st;
}

// sacreBLEU's utils.my_log: log with log(0) floored so that exp() of the mean gives 0.
double my_log(double x) { return x == 0.0 ? -9999999999.0 : std::log(x); }

}  // namespace

double BleuScore::ratio() const {
    return ref_len != 0 ? static_cast<double>(sys_len) / static_cast<double>(ref_len) : 0.0;
}

BleuSmooth parse_bleu_smooth(const std::string& name) {
    if (name == "none") return BleuSmooth::None;
    if (name == "floor") return BleuSmooth::Floor;
    if (name == "add-k") return BleuSmooth::AddK;
    if (name == "exp") return BleuSmooth::Exp;
    DEEPNET_USER_CHECK(false, "unknown BLEU smoothing '"
                                  << name << "' (expected none, floor, add-k or exp)");
    return BleuSmooth::Exp;
}

std::vector<BleuStats> bleu_segment_stats(const std::vector<std::string>& hyps,
                                          const std::vector<std::vector<std::string>>& refs,
                                          const BleuOptions& opts, int* nrefs) {
    check_options(opts);
    const DecodedCorpus corpus = decode_corpus(hyps, refs);
    if (nrefs) *nrefs = corpus.nrefs;
    std::vector<BleuStats> stats;
    stats.reserve(corpus.hyps.size());
    for (std::size_t i = 0; i < corpus.hyps.size(); ++i)
        stats.push_back(segment_stats(corpus.hyps[i], reference_info(corpus.refs[i], opts), opts));
    return stats;
}

BleuScore compute_bleu(const BleuStats& st, const BleuOptions& o) {
    check_options(o);
    const auto order = static_cast<std::size_t>(o.max_ngram_order);
    DEEPNET_CHECK(st.correct.size() == order && st.total.size() == order,
                  "BLEU stats have " << st.correct.size() << "/" << st.total.size()
                                     << " orders, options say " << order);
    BleuScore r;
    r.counts = st.correct;
    r.totals = st.total;
    r.sys_len = st.sys_len;
    r.ref_len = st.ref_len;
    r.precisions.assign(order, 0.0);
    if (st.sys_len < st.ref_len)
        r.bp = st.sys_len > 0 ? std::exp(1.0 - static_cast<double>(st.ref_len) /
                                                   static_cast<double>(st.sys_len))
                              : 0.0;
    else
        r.bp = 1.0;
    // No match at all: 0 without smoothing (sacreBLEU #141), even for add-k.
    if (std::all_of(st.correct.begin(), st.correct.end(), [](int64_t c) { return c == 0; }))
        return r;

    const double k = smooth_value_or_default(o);
    double smooth_mteval = 1.0;
    std::size_t eff_order = order;
    for (std::size_t n = 1; n <= order; ++n) {
        double correct = static_cast<double>(st.correct[n - 1]);
        double total = static_cast<double>(st.total[n - 1]);
        if (o.smooth == BleuSmooth::AddK && n > 1) {
            correct += k;
            total += k;
        }
        if (total == 0.0) break;
        if (o.effective_order) eff_order = n;
        if (correct == 0.0) {
            if (o.smooth == BleuSmooth::Exp) {
                smooth_mteval *= 2.0;
                r.precisions[n - 1] = 100.0 / (smooth_mteval * total);
            } else if (o.smooth == BleuSmooth::Floor) {
                r.precisions[n - 1] = 100.0 * k / total;
            }
        } else {
            r.precisions[n - 1] = 100.0 * correct / total;
        }
    }
    double log_sum = 0.0;
    for (std::size_t n = 0; n < eff_order; ++n) log_sum += my_log(r.precisions[n]);
    r.score = r.bp * std::exp(log_sum / static_cast<double>(eff_order));
    return r;
}

BleuScore corpus_bleu(const std::vector<std::string>& hyps,
                      const std::vector<std::vector<std::string>>& refs,
                      const BleuOptions& opts) {
    int nrefs = 0;
    const std::vector<BleuStats> stats = bleu_segment_stats(hyps, refs, opts, &nrefs);
    BleuStats sum;
    sum.correct.assign(static_cast<std::size_t>(opts.max_ngram_order), 0);
    sum.total.assign(static_cast<std::size_t>(opts.max_ngram_order), 0);
    for (const BleuStats& s : stats) {
        sum.sys_len += s.sys_len;
        sum.ref_len += s.ref_len;
        for (std::size_t n = 0; n < sum.correct.size(); ++n) {
            sum.correct[n] += s.correct[n];
            sum.total[n] += s.total[n];
        }
    }
    BleuScore score = compute_bleu(sum, opts);
    score.nrefs = nrefs;
    return score;
}

BleuScore sentence_bleu(const std::string& hyp, const std::vector<std::string>& refs,
                        const BleuOptions& opts) {
    std::vector<std::vector<std::string>> streams;
    streams.reserve(refs.size());
    for (const std::string& r : refs) streams.push_back({r});
    return corpus_bleu({hyp}, streams, opts);
}

std::string format_bleu(const BleuScore& s, int width) {
    std::string prec;
    for (std::size_t n = 0; n < s.precisions.size(); ++n) {
        if (n > 0) prec += "/";
        prec += format_fixed(s.precisions[n], 1);
    }
    return "BLEU = " + format_fixed(s.score, width) + " " + prec + " (BP = " +
           format_fixed(s.bp, 3) + " ratio = " + format_fixed(s.ratio(), 3) +
           " hyp_len = " + std::to_string(s.sys_len) + " ref_len = " + std::to_string(s.ref_len) +
           ")";
}

std::string bleu_signature(const BleuOptions& o, int nrefs) {
    std::string smooth;
    switch (o.smooth) {
        case BleuSmooth::None: smooth = "none"; break;
        case BleuSmooth::Exp: smooth = "exp"; break;
        case BleuSmooth::Floor: smooth = "floor"; break;
        case BleuSmooth::AddK: smooth = "add-k"; break;
    }
    // Methods that take a value show it, defaulted when unset: "floor[0.10]".
    if (o.smooth == BleuSmooth::Floor || o.smooth == BleuSmooth::AddK)
        smooth += "[" + format_fixed(smooth_value_or_default(o), 2) + "]";
    return nrefs_field(nrefs) + "|case:" + (o.lowercase ? "lc" : "mixed") +
           "|eff:" + (o.effective_order ? "yes" : "no") +
           "|tok:" + tokenizer_signature(o.tokenizer) + "|smooth:" + smooth +
           "|version:" + kSacrebleuCompatVersion;
}

}  // namespace deepnet::eval
