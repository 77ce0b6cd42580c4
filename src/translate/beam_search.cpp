// Batched beam search (see beam_search.h).
#include "src/translate/beam_search.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "src/core/error.h"

namespace deepnet {

double normalized_score(double score, int64_t n_tokens, double normalize) {
    if (normalize == 0) return score;
    return score / std::pow(double(n_tokens + 1), normalize);
}

int64_t max_output_length(int64_t src_len, double max_length_factor) {
    // Clamped before the conversion: a huge factor must not overflow int64 (undefined
    // behaviour that made every translation empty); kMaxOutputLength is far beyond any
    // sentence.
    const double len = std::floor(max_length_factor * double(src_len));
    if (!(len < double(kMaxOutputLength))) return kMaxOutputLength;
    return std::max<int64_t>(1, int64_t(len));
}

namespace {

struct Active {
    int64_t sentence;
    std::vector<int64_t> tokens;
    double score;
};

struct Candidate {
    double score;
    int64_t hyp;    // index into the active hypotheses of this step
    int64_t token;
};

// Better first; ties broken by hypothesis then token, so results never depend on sort order.
bool better(const Candidate& a, const Candidate& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.hyp != b.hyp) return a.hyp < b.hyp;
    return a.token < b.token;
}

// The k best extensions of one hypothesis (row of log-probs), best first, into out[0..k).
// Returns how many were found.
template <typename T>
int64_t row_top_k(Candidate* out, int64_t k, const T* logp, int64_t V, int64_t hyp, double base,
                  const std::vector<char>& banned) {
    int64_t n = 0;
    for (int64_t w = 0; w < V; ++w) {
        if (banned[size_t(w)]) continue;
        const double s = base + double(logp[w]);
        if (n == k && !(s > out[k - 1].score)) continue;
        int64_t pos = n < k ? n++ : k - 1;
        while (pos > 0 && s > out[pos - 1].score) {
            out[pos] = out[pos - 1];
            --pos;
        }
        out[pos] = {s, hyp, w};
    }
    return n;
}

// As a functor, so that std::sort and std::nth_element inline the comparison.
struct Better {
    bool operator()(const Candidate& a, const Candidate& b) const { return better(a, b); }
};

// The k-th best of `scores` (k >= 1, k <= size) as a plain double: the threshold that lets
// the full comparison sort only about k items. `scores` is reordered.
double kth_best(std::vector<double>& scores, int64_t k) {
    std::nth_element(scores.begin(), scores.begin() + (k - 1), scores.end(), std::greater<double>());
    return scores[size_t(k - 1)];
}

// The same set as row_top_k for a large k, unsorted (the caller sorts the pool): insertion
// would cost O(V k) per row (beam 1000 took minutes), a selection O(V). Of the candidates
// tied with the k-th best score the lowest tokens are kept, as `better` orders them.
template <typename T>
int64_t row_top_k_select(Candidate* out, int64_t k, const T* logp, int64_t V, int64_t hyp, double base,
                         const std::vector<char>& banned, std::vector<double>& scores) {
    scores.clear();
    for (int64_t w = 0; w < V; ++w)
        if (!banned[size_t(w)]) scores.push_back(base + double(logp[w]));
    const int64_t n = std::min<int64_t>(k, int64_t(scores.size()));
    if (n == 0) return 0;
    const double threshold = kth_best(scores, n);
    int64_t above = 0;
    for (const double s : scores) above += s > threshold;
    int64_t ties = n - above, found = 0;
    for (int64_t w = 0; w < V && found < n; ++w) {
        const double s = base + double(logp[w]);
        if (banned[size_t(w)] || s < threshold || (s == threshold && ties-- <= 0)) continue;
        out[found++] = {s, hyp, w};
    }
    return n;
}

// The best `k` of `pool`, sorted, in place (pool is truncated to them).
void keep_best(std::vector<Candidate>& pool, int64_t k, std::vector<double>& scores) {
    if (k <= 0) return pool.clear();
    if (int64_t(pool.size()) > 4 * k) {  // cut to the ties of the k-th best before sorting
        scores.clear();
        for (const Candidate& c : pool) scores.push_back(c.score);
        const double threshold = kth_best(scores, k);
        pool.erase(std::remove_if(pool.begin(), pool.end(), [&](const Candidate& c) { return c.score < threshold; }),
                   pool.end());
    }
    std::sort(pool.begin(), pool.end(), Better{});
    if (int64_t(pool.size()) > k) pool.resize(size_t(k));
}

// Each sentence keeps its best K - (finished) extensions: </s> finishes a hypothesis, the
// others continue in `next`, with parent[i] the hypothesis that next[i] extends.
void advance_beams(const std::vector<Active>& active, const std::vector<Candidate>& row_best,
                   const std::vector<int64_t>& row_count, int64_t K, int64_t eos_id,
                   const SearchOptions& opt, std::vector<std::vector<Hypothesis>>& finished,
                   std::vector<Active>& next, std::vector<int64_t>& parent, std::vector<Candidate>& pool,
                   std::vector<double>& pool_scores) {
    const int64_t N = int64_t(active.size());
    for (int64_t a = 0; a < N;) {  // hypotheses of one sentence are contiguous
        const int64_t s = active[size_t(a)].sentence;
        int64_t e = a;
        pool.clear();
        for (; e < N && active[size_t(e)].sentence == s; ++e)
            pool.insert(pool.end(), row_best.begin() + e * K, row_best.begin() + e * K + row_count[size_t(e)]);
        const int64_t k = K - int64_t(finished[size_t(s)].size());
        keep_best(pool, k, pool_scores);
        for (int64_t i = 0; i < std::min<int64_t>(k, int64_t(pool.size())); ++i) {
            const Candidate& c = pool[size_t(i)];
            const Active& h = active[size_t(c.hyp)];
            if (c.token == eos_id) {
                const int64_t n = int64_t(h.tokens.size());
                finished[size_t(s)].push_back({h.tokens, c.score, normalized_score(c.score, n, opt.normalize)});
            } else {
                next.push_back({s, h.tokens, c.score});
                next.back().tokens.push_back(c.token);
                parent.push_back(c.hyp);
            }
        }
        a = e;
    }
}

}  // namespace

template <typename T>
std::vector<std::vector<Hypothesis>> beam_search(IncrementalDecoder<T>& dec,
                                                 const std::vector<std::vector<int64_t>>& sources,
                                                 const SearchOptions& opt) {
    DEEPNET_CHECK(opt.beam_size >= 1, "beam size " << opt.beam_size << " must be at least 1");
    const ModelConfig& cfg = dec.config();
    const int64_t B = int64_t(sources.size()), V = dec.vocab_size(), K = opt.beam_size;
    std::vector<std::vector<Hypothesis>> finished(static_cast<size_t>(B));
    if (B == 0) return finished;
    dec.start(sources);
    std::vector<int64_t> max_len(static_cast<size_t>(B));
    std::vector<Active> active;
    for (int64_t b = 0; b < B; ++b) {
        max_len[size_t(b)] = max_output_length(dec.source_length(b), opt.max_length_factor);
        active.push_back({b, {}, 0.0});
    }
    std::vector<char> banned(size_t(V), 0);
    banned[size_t(cfg.pad_id)] = banned[size_t(cfg.bos_id)] = 1;
    if (!opt.allow_unk) banned[size_t(cfg.unk_id)] = 1;
    std::vector<char> eos_only(size_t(V), 1);
    eos_only[size_t(cfg.eos_id)] = 0;

    std::vector<int64_t> tokens, sentence, parent;
    std::vector<Candidate> row_best, pool;
    std::vector<double> pool_scores;
    while (!active.empty()) {
        const int64_t N = int64_t(active.size());
        tokens.resize(size_t(N));
        sentence.resize(size_t(N));
        for (int64_t n = 0; n < N; ++n) {
            const Active& h = active[size_t(n)];
            tokens[size_t(n)] = h.tokens.empty() ? cfg.bos_id : h.tokens.back();
            sentence[size_t(n)] = h.sentence;
        }
        const T* logp = dec.step(tokens, sentence);
        const int64_t t = dec.position();  // tokens of an extension, </s> included
        row_best.resize(size_t(N * K));
        std::vector<int64_t> row_count(static_cast<size_t>(N));
#pragma omp parallel
        {
            std::vector<double> scores;
#pragma omp for schedule(static)
            for (int64_t n = 0; n < N; ++n) {
                const Active& h = active[size_t(n)];
                const std::vector<char>& ban = t >= max_len[size_t(h.sentence)] ? eos_only : banned;
                Candidate* out = &row_best[size_t(n * K)];
                row_count[size_t(n)] = K <= opt.insertion_max_k
                                           ? row_top_k(out, K, logp + n * V, V, n, h.score, ban)
                                           : row_top_k_select(out, K, logp + n * V, V, n, h.score, ban, scores);
            }
        }
        std::vector<Active> next;
        parent.clear();
        advance_beams(active, row_best, row_count, K, cfg.eos_id, opt, finished, next, parent, pool, pool_scores);
        if (!next.empty()) dec.reorder(parent);
        active.swap(next);
    }
    for (auto& f : finished)
        std::stable_sort(f.begin(), f.end(),
                         [](const Hypothesis& x, const Hypothesis& y) { return x.total > y.total; });
    return finished;
}

template std::vector<std::vector<Hypothesis>> beam_search<float>(
    IncrementalDecoder<float>&, const std::vector<std::vector<int64_t>>&, const SearchOptions&);
template std::vector<std::vector<Hypothesis>> beam_search<double>(
    IncrementalDecoder<double>&, const std::vector<std::vector<int64_t>>&, const SearchOptions&);

}  // namespace deepnet
