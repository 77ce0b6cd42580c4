// Validation (see validator.h).
#include "src/train/validator.h"

#include <omp.h>

#include <cmath>
#include <fstream>
#include <memory>

#include "src/core/error.h"
#include "src/data/text_reader.h"
#include "src/eval/bleu.h"
#include "src/eval/chrf.h"
#include "src/translate/translator.h"

namespace deepnet {
namespace {

bool wants(const ValidationOptions& o, const std::string& m) {
    for (const auto& x : o.metrics)
        if (x == m) return true;
    return false;
}

std::string direction_name(const CorpusSpec& c) { return c.source_lang + "-" + c.target_lang; }

// Sum of target-token NLL and token count of one direction, teacher forced.
std::pair<double, int64_t> direction_nll(Transformer<float>& model, const ParallelData& d, int64_t c,
                                         int64_t mini_batch) {
    std::vector<std::vector<int64_t>> src, tgt;
    for (int64_t i = d.corpus_begin(c); i < d.corpus_begin(c) + d.corpus_size(c); ++i) {
        src.push_back(d.source(i));
        tgt.push_back(d.target(i));
    }
    const std::vector<double> scores = score_pairs(model, src, tgt, mini_batch);
    double nll = 0;
    int64_t tokens = 0;
    for (size_t i = 0; i < scores.size(); ++i) {
        nll -= scores[i];
        tokens += int64_t(tgt[i].size()) + 1;  // + </s>
    }
    return {nll, tokens};
}

std::vector<std::string> translate_direction(Transformer<float>& model, const ParallelData& d,
                                             const Vocab& vocab, int64_t c, const ValidationOptions& o) {
    int64_t n = d.corpus_size(c);
    if (o.max_sentences > 0 && o.max_sentences < n) n = o.max_sentences;
    std::vector<std::vector<int64_t>> src;
    for (int64_t i = 0; i < n; ++i) src.push_back(d.source(d.corpus_begin(c) + i));
    SearchOptions so;
    so.beam_size = o.beam_size;
    so.normalize = o.normalize;
    so.stop = o.stop;
    so.banned = language_tag_ids(vocab);
    const auto nbest = translate_ids_parallel(model, src, so, o.mini_batch, omp_get_max_threads());
    std::vector<std::string> out;
    for (const auto& hyps : nbest) out.push_back(hyps.empty() ? "" : vocab.decode(hyps.front().tokens));
    return out;
}

}  // namespace

bool metric_improves(const std::string& metric, double value, double best) {
    const bool higher = metric == "bleu" || metric == "chrf" || metric == "translation" || metric == "valid-script";
    return higher ? value > best : value < best;
}

ValidationScores validate(Transformer<float>& model, const ParallelData& valid, const Vocab& vocab,
                          const ValidationOptions& o) {
    ValidationScores out;
    double nll_all = 0;
    int64_t tokens_all = 0;
    std::vector<std::string> hyp_all, ref_all;
    const auto stopped = [&] { return o.stop && o.stop(); };
    // Translation metrics decode on the model's device (a GPU run validates on its GPU).
    for (int64_t c = 0; c < valid.num_corpora(); ++c) {
        if (stopped()) return {};
        const CorpusSpec& spec = valid.plan().corpora[size_t(c)];
        const std::string dir = direction_name(spec);
        if (wants(o, "cross-entropy") || wants(o, "perplexity")) {
            const auto [nll, tokens] = direction_nll(model, valid, c, o.mini_batch);
            out[dir]["cross-entropy"] = nll / double(tokens);
            out[dir]["perplexity"] = std::exp(nll / double(tokens));
            nll_all += nll;
            tokens_all += tokens;
        }
        if (!wants(o, "bleu") && !wants(o, "chrf") && !wants(o, "translation")) continue;
        std::vector<std::string> hyps = translate_direction(model, valid, vocab, c, o);
        if (stopped()) return {};
        std::vector<std::string> refs = read_lines(spec.reversed ? spec.source_file : spec.target_file);
        refs.resize(hyps.size());
        if (!o.translation_output.empty()) {
            std::ofstream f(o.translation_output + "." + dir);
            for (const auto& h : hyps) f << h << "\n";
        }
        out[dir]["bleu"] = eval::corpus_bleu(hyps, {refs}).score;
        out[dir]["chrf"] = eval::corpus_chrf(hyps, {refs}).score;
        hyp_all.insert(hyp_all.end(), hyps.begin(), hyps.end());
        ref_all.insert(ref_all.end(), refs.begin(), refs.end());
    }
    if (tokens_all > 0) {
        out[""]["cross-entropy"] = nll_all / double(tokens_all);
        out[""]["perplexity"] = std::exp(nll_all / double(tokens_all));
    }
    if (!hyp_all.empty()) {
        out[""]["bleu"] = eval::corpus_bleu(hyp_all, {ref_all}).score;
        out[""]["chrf"] = eval::corpus_chrf(hyp_all, {ref_all}).score;
    }
    // Marian's script metrics, over all directions: the translations in valid-sets order.
    if (wants(o, "translation")) out[""]["translation"] = score_translations(o.script, hyp_all, o.translation_output);
    if (wants(o, "valid-script")) out[""]["valid-script"] = run_valid_script(o.script, "");
    return out;
}

}  // namespace deepnet
