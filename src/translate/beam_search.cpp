// Batched beam search (see beam_search.h).
#include "src/translate/beam_search.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>

#include "src/core/device_memory.h"
#include "src/core/error.h"
#include "src/ops/top_k.h"

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

// The per-row top-k of log_softmax(logits) where the logits are (one fused op: the N x V
// log-probabilities are never written): on the CPU over the host vectors; on a GPU the masks
// go up once per search, the beams' base scores and length caps each step, and only the
// N x K winners come back.
class RowTopK {
public:
    RowTopK(const Context& ctx, const std::vector<int64_t>& banned, const std::vector<int64_t>& eos_only)
        : ctx_(ctx), host_(ctx.device.kind == DeviceKind::CPU), banned_(banned), eos_only_(eos_only) {
        if (host_) return;
        const int64_t V = int64_t(banned.size());
        int64_t* masks = masks_.ensure(ctx.device, 2 * V);
        device_copy(ctx.device, masks, Device{}, banned.data(), size_t(V) * sizeof(int64_t));
        device_copy(ctx.device, masks + V, Device{}, eos_only.data(), size_t(V) * sizeof(int64_t));
    }

    template <typename T>
    void operator()(std::vector<double>& scores, std::vector<int64_t>& tokens, std::vector<int64_t>& count,
                    const T* logits, const std::vector<double>& base, const std::vector<int64_t>& at_cap, int64_t K,
                    int64_t insertion_max_k) {
        const int64_t N = int64_t(base.size()), V = int64_t(banned_.size());
        if (host_) {
            ops::log_softmax_top_k_rows(ctx_, view(scores.data(), {N, K}), view(tokens.data(), {N, K}),
                                        view(count.data(), {N}), view(logits, {N, V}), view(base.data(), {N}),
                                        view(banned_.data(), {V}), view(eos_only_.data(), {V}),
                                        view(at_cap.data(), {N}), insertion_max_k);
            return;
        }
        // One upload (base scores and caps as 8-byte words) and one read-back (scores,
        // tokens, counts), each a single copy.
        const Device& d = ctx_.device;
        up_.resize(size_t(2 * N));
        std::memcpy(up_.data(), base.data(), size_t(N) * sizeof(double));
        std::copy(at_cap.begin(), at_cap.end(), up_.begin() + N);
        int64_t* in = in_.ensure(d, 2 * N);
        device_copy(d, in, Device{}, up_.data(), size_t(2 * N) * sizeof(int64_t));
        int64_t* out = out_.ensure(d, N * (2 * K + 1));  // scores (as doubles), tokens, counts
        double* scores_d = reinterpret_cast<double*>(out);
        ops::log_softmax_top_k_rows(ctx_, view(scores_d, {N, K}, d), view(out + N * K, {N, K}, d),
                                    view(out + 2 * N * K, {N}, d), view(logits, {N, V}, d),
                                    view(reinterpret_cast<const double*>(in), {N}, d), view(masks_.data(), {V}, d),
                                    view(masks_.data() + V, {V}, d), view(in + N, {N}, d), insertion_max_k);
        down_.resize(size_t(N * (2 * K + 1)));
        device_copy(Device{}, down_.data(), d, out, down_.size() * sizeof(int64_t));
        std::memcpy(scores.data(), down_.data(), size_t(N * K) * sizeof(double));
        std::copy(down_.begin() + N * K, down_.begin() + 2 * N * K, tokens.begin());
        std::copy(down_.begin() + 2 * N * K, down_.end(), count.begin());
    }

private:
    const Context& ctx_;
    bool host_;
    const std::vector<int64_t>& banned_;
    const std::vector<int64_t>& eos_only_;
    DeviceBuffer<int64_t> masks_, in_, out_;  // on the device: masks; base + caps; results
    std::vector<int64_t> up_, down_;          // their host staging
};

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
    std::vector<int64_t> banned(size_t(V), 0);  // 1 = never proposed
    banned[size_t(cfg.pad_id)] = banned[size_t(cfg.bos_id)] = 1;
    if (!opt.allow_unk) banned[size_t(cfg.unk_id)] = 1;
    for (const int64_t id : opt.banned)
        if (id >= 0 && id < V) banned[size_t(id)] = 1;
    std::vector<int64_t> eos_only(size_t(V), 1);  // at the length cap: </s> alone
    eos_only[size_t(cfg.eos_id)] = 0;

    std::vector<int64_t> tokens, sentence, parent;
    std::vector<Candidate> row_best, pool;
    std::vector<double> pool_scores, top_scores, base;
    std::vector<int64_t> top_tokens, row_count, at_cap;
    RowTopK top_k(dec.context(), banned, eos_only);
    while (!active.empty()) {
        const int64_t N = int64_t(active.size());
        tokens.resize(size_t(N));
        sentence.resize(size_t(N));
        for (int64_t n = 0; n < N; ++n) {
            const Active& h = active[size_t(n)];
            tokens[size_t(n)] = h.tokens.empty() ? cfg.bos_id : h.tokens.back();
            sentence[size_t(n)] = h.sentence;
        }
        const T* logits = dec.step(tokens, sentence, /*normalize=*/false);
        const int64_t t = dec.position();  // tokens of an extension, </s> included
        top_scores.resize(size_t(N * K));
        top_tokens.resize(size_t(N * K));
        row_count.resize(size_t(N));
        base.resize(size_t(N));
        at_cap.resize(size_t(N));
        for (int64_t n = 0; n < N; ++n) {
            base[size_t(n)] = active[size_t(n)].score;
            at_cap[size_t(n)] = t >= max_len[size_t(active[size_t(n)].sentence)];
        }
        top_k(top_scores, top_tokens, row_count, logits, base, at_cap, K, opt.insertion_max_k);
        row_best.resize(size_t(N * K));
        for (int64_t n = 0; n < N; ++n)
            for (int64_t i = 0; i < row_count[size_t(n)]; ++i)
                row_best[size_t(n * K + i)] = {top_scores[size_t(n * K + i)], n, top_tokens[size_t(n * K + i)]};
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
