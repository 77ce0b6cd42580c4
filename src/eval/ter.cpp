// TER as sacreBLEU 2.x computes it (metrics/ter.py); formulas in ter.h.
#include "src/eval/ter.h"

#include <unordered_map>

#include "src/eval/metric_input.h"
#include "src/eval/ter_edits.h"
#include "src/eval/unicode_text.h"

namespace deepnet::eval {

namespace {

// Tokenized words as ids, shared by a segment's hypothesis and references.
class WordIds {
public:
    std::vector<int> operator()(const std::u32string& line, const TerOptions& opts) {
        // _preprocess_segment: tokenizer(sent.rstrip()), then str.split().
        const std::u32string tokenized = ter_tokenize(py_rstrip(line), opts);
        std::vector<int> ids;
        for (std::u32string_view w : py_split(tokenized)) {
            const auto it = ids_.emplace(std::u32string(w), static_cast<int>(ids_.size())).first;
            ids.push_back(it->second);
        }
        return ids;
    }

private:
    std::unordered_map<std::u32string, int> ids_;
};

}  // namespace

std::vector<TerStats> ter_segment_stats(const std::vector<std::string>& hyps,
                                        const std::vector<std::vector<std::string>>& refs,
                                        const TerOptions& opts, int* nrefs) {
    const DecodedCorpus corpus = decode_corpus(hyps, refs);
    if (nrefs) *nrefs = corpus.nrefs;
    std::vector<TerStats> out;
    out.reserve(corpus.hyps.size());
    for (std::size_t i = 0; i < corpus.hyps.size(); ++i) {
        WordIds ids;
        const std::vector<int> hyp = ids(corpus.hyps[i], opts);
        TerStats s;
        s.edits = static_cast<int64_t>(1e16);
        int64_t ref_lengths = 0;
        for (const std::u32string& ref_line : corpus.refs[i]) {
            const std::vector<int> ref = ids(ref_line, opts);
            const int64_t edits = ter_num_edits(hyp, ref);
            ref_lengths += static_cast<int64_t>(ref.size());
            if (edits < s.edits) s.edits = edits;
        }
        s.ref_len = static_cast<double>(ref_lengths) / static_cast<double>(corpus.refs[i].size());
        out.push_back(s);
    }
    return out;
}

TerScore compute_ter(int64_t edits, double ref_len) {
    TerScore s;
    s.num_edits = edits;
    s.ref_length = ref_len;
    if (ref_len > 0) {
        s.score = 100 * (static_cast<double>(edits) / ref_len);
    } else {
        s.score = edits > 0 ? 100.0 : 0.0;
    }
    return s;
}

TerScore corpus_ter(const std::vector<std::string>& hyps,
                    const std::vector<std::vector<std::string>>& refs, const TerOptions& opts) {
    int nrefs = 0;
    int64_t edits = 0;
    double ref_len = 0.0;
    for (const TerStats& s : ter_segment_stats(hyps, refs, opts, &nrefs)) {
        edits += s.edits;
        ref_len += s.ref_len;  // sacreBLEU's sum_of_lists: in segment order
    }
    TerScore out = compute_ter(edits, ref_len);
    out.nrefs = nrefs;
    return out;
}

TerScore sentence_ter(const std::string& hyp, const std::vector<std::string>& refs,
                      const TerOptions& opts) {
    std::vector<std::vector<std::string>> streams;
    streams.reserve(refs.size());
    for (const std::string& r : refs) streams.push_back({r});
    return corpus_ter({hyp}, streams, opts);
}

std::string format_ter(const TerScore& s, int width) { return "TER = " + format_fixed(s.score, width); }

std::string ter_signature(const TerOptions& o, int nrefs) {
    const auto yn = [](bool b) { return b ? "yes" : "no"; };
    return nrefs_field(nrefs) + "|case:" + (o.case_sensitive ? "mixed" : "lc") +
           "|tok:tercom|norm:" + yn(o.normalized) + "|punct:" + yn(!o.no_punct) +
           "|asian:" + yn(o.asian_support) + "|version:" + kSacrebleuCompatVersion;
}

}  // namespace deepnet::eval
