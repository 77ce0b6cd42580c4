// Per-row top-k of beam search on the CPU (see top_k.h): one OpenMP task per row.
#include "kernels/top_k.h"

#include <algorithm>
#include <functional>
#include <vector>

#include "kernels/log_softmax.h"

namespace deepnet::kernels::cpu {

namespace {

// Insertion into out[0..k), best first; a later token with an equal score goes after.
template <typename T>
int64_t row_insertion(double* sc, int64_t* tok, int64_t k, const T* logp, int64_t V, double base,
                      const int64_t* banned) {
    int64_t n = 0;
    for (int64_t w = 0; w < V; ++w) {
        if (banned[w]) continue;
        const double s = base + double(logp[w]);
        if (n == k && !(s > sc[k - 1])) continue;
        int64_t pos = n < k ? n++ : k - 1;
        while (pos > 0 && s > sc[pos - 1]) {
            sc[pos] = sc[pos - 1];
            tok[pos] = tok[pos - 1];
            --pos;
        }
        sc[pos] = s;
        tok[pos] = w;
    }
    return n;
}

// The same set by selection: O(V) instead of O(V k).
template <typename T>
int64_t row_selection(double* sc, int64_t* tok, int64_t k, const T* logp, int64_t V, double base,
                      const int64_t* banned, std::vector<double>& scores) {
    scores.clear();
    for (int64_t w = 0; w < V; ++w)
        if (!banned[w]) scores.push_back(base + double(logp[w]));
    const int64_t n = std::min<int64_t>(k, int64_t(scores.size()));
    if (n == 0) return 0;
    std::nth_element(scores.begin(), scores.begin() + (n - 1), scores.end(), std::greater<double>());
    const double threshold = scores[size_t(n - 1)];
    int64_t above = 0;
    for (const double s : scores) above += s > threshold;
    int64_t ties = n - above, found = 0;
    for (int64_t w = 0; w < V && found < n; ++w) {
        const double s = base + double(logp[w]);
        if (banned[w] || s < threshold || (s == threshold && ties-- <= 0)) continue;
        sc[found] = s;
        tok[found++] = w;
    }
    return n;
}

// Row n's best k of base[n] + row, by insertion or selection (see top_k.h).
template <typename T>
int64_t row_top_k(double* scores, int64_t* tokens, int64_t n, const T* row, const double* base, const int64_t* banned,
                  const int64_t* banned_last, const int64_t* last, int64_t k, int64_t insertion_max_k, int64_t V,
                  std::vector<double>& buffer) {
    const int64_t* mask = last[n] ? banned_last : banned;
    double* sc = scores + n * k;
    int64_t* tok = tokens + n * k;
    return k <= insertion_max_k ? row_insertion(sc, tok, k, row, V, base[n], mask)
                                : row_selection(sc, tok, k, row, V, base[n], mask, buffer);
}

}  // namespace

template <typename T>
void top_k_rows(double* scores, int64_t* tokens, int64_t* count, const T* logp, const double* base,
                const int64_t* banned, const int64_t* banned_last, const int64_t* last, int64_t k,
                int64_t insertion_max_k, int64_t N, int64_t V) {
#pragma omp parallel
    {
        std::vector<double> buffer;
#pragma omp for schedule(static)
        for (int64_t n = 0; n < N; ++n)
            count[n] = row_top_k(scores, tokens, n, logp + n * V, base, banned, banned_last, last, k, insertion_max_k,
                                 V, buffer);
    }
}

template <typename T>
void top_k_rows_of_logits(double* scores, int64_t* tokens, int64_t* count, const T* logits, const double* base,
                          const int64_t* banned, const int64_t* banned_last, const int64_t* last, int64_t k,
                          int64_t insertion_max_k, int64_t N, int64_t V) {
#pragma omp parallel
    {
        std::vector<double> buffer;
        std::vector<T> row(static_cast<size_t>(V));
#pragma omp for schedule(static)
        for (int64_t n = 0; n < N; ++n) {
            std::copy(logits + n * V, logits + (n + 1) * V, row.begin());
            log_softmax_forward<T>(row.data(), 1, V);  // nested: one thread, the op's own arithmetic
            count[n] = row_top_k(scores, tokens, n, row.data(), base, banned, banned_last, last, k, insertion_max_k, V,
                                 buffer);
        }
    }
}

template void top_k_rows<float>(double*, int64_t*, int64_t*, const float*, const double*, const int64_t*,
                                const int64_t*, const int64_t*, int64_t, int64_t, int64_t, int64_t);
template void top_k_rows<double>(double*, int64_t*, int64_t*, const double*, const double*, const int64_t*,
                                 const int64_t*, const int64_t*, int64_t, int64_t, int64_t, int64_t);

template void top_k_rows_of_logits<float>(double*, int64_t*, int64_t*, const float*, const double*, const int64_t*,
                                          const int64_t*, const int64_t*, int64_t, int64_t, int64_t, int64_t);
template void top_k_rows_of_logits<double>(double*, int64_t*, int64_t*, const double*, const double*,
                                           const int64_t*, const int64_t*, const int64_t*, int64_t, int64_t, int64_t,
                                           int64_t);

}  // namespace deepnet::kernels::cpu
