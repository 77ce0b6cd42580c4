// Batching for translation and scoring (see translator.h).
#include "src/translate/translator.h"

#include <omp.h>

#include <algorithm>
#include <exception>
#include <memory>

#include <cmath>
#include <numeric>

#include "src/core/device_buffer.h"
#include "src/core/error.h"
#include "src/ops/log_softmax.h"

namespace deepnet {

std::vector<std::vector<size_t>> length_sorted_batches(const std::vector<int64_t>& lengths,
                                                       int64_t mini_batch) {
    DEEPNET_CHECK(mini_batch >= 1, "mini-batch " << mini_batch << " must be at least 1");
    std::vector<size_t> order(lengths.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return lengths[a] > lengths[b]; });
    std::vector<std::vector<size_t>> batches;
    for (size_t i = 0; i < order.size(); i += size_t(mini_batch)) {
        const size_t end = std::min(order.size(), i + size_t(mini_batch));
        batches.emplace_back(order.begin() + long(i), order.begin() + long(end));
    }
    return batches;
}

template <typename T>
std::vector<std::vector<Hypothesis>> translate_ids(IncrementalDecoder<T>& decoder,
                                                   const std::vector<std::vector<int64_t>>& sources,
                                                   const SearchOptions& opt, int64_t mini_batch) {
    std::vector<int64_t> lengths;
    for (const auto& s : sources) lengths.push_back(int64_t(s.size()));
    std::vector<std::vector<Hypothesis>> out(sources.size());
    for (const auto& batch : length_sorted_batches(lengths, mini_batch)) {
        if (opt.stop && opt.stop()) break;
        std::vector<std::vector<int64_t>> src;
        for (size_t i : batch) src.push_back(sources[i]);
        auto nbest = beam_search(decoder, src, opt);
        for (size_t j = 0; j < batch.size(); ++j) out[batch[j]] = std::move(nbest[j]);
    }
    return out;
}

template <typename T>
std::vector<std::vector<Hypothesis>> translate_ids_parallel(const Transformer<T>& model,
                                                            const std::vector<std::vector<int64_t>>& sources,
                                                            const SearchOptions& opt, int64_t mini_batch,
                                                            int64_t workers) {
    std::vector<int64_t> lengths;
    for (const auto& s : sources) lengths.push_back(int64_t(s.size()));
    const auto batches = length_sorted_batches(lengths, mini_batch);
    workers = std::max<int64_t>(1, std::min<int64_t>(workers, int64_t(batches.size())));
    if (model.context().device.kind != DeviceKind::CPU) workers = 1;  // one GPU stream: one decoder
    std::vector<std::vector<Hypothesis>> out(sources.size());
    if (workers == 1) {  // one batch (or one thread): let the kernels use every thread
        IncrementalDecoder<T> decoder(model);
        return translate_ids(decoder, sources, opt, mini_batch);
    }
    std::vector<std::unique_ptr<IncrementalDecoder<T>>> decoders;
    for (int64_t w = 0; w < workers; ++w) decoders.push_back(std::make_unique<IncrementalDecoder<T>>(model));
    std::exception_ptr error;
    // Inside this region the kernels' own OpenMP loops (nested) and oneDNN's GEMMs run on one
    // thread each: one decoder per thread.
#pragma omp parallel for num_threads(int(workers)) schedule(dynamic, 1)
    for (size_t k = 0; k < batches.size(); ++k) {
        if (opt.stop && opt.stop()) continue;
        try {
            std::vector<std::vector<int64_t>> src;
            for (size_t i : batches[k]) src.push_back(sources[i]);
            auto nbest = beam_search(*decoders[size_t(omp_get_thread_num())], src, opt);
            for (size_t j = 0; j < batches[k].size(); ++j) out[batches[k][j]] = std::move(nbest[j]);
        } catch (...) {
#pragma omp critical
            if (!error) error = std::current_exception();
        }
    }
    if (error) std::rethrow_exception(error);
    return out;
}

template <typename T>
std::vector<double> score_pairs(Transformer<T>& model,
                                const std::vector<std::vector<int64_t>>& sources,
                                const std::vector<std::vector<int64_t>>& targets,
                                int64_t mini_batch) {
    DEEPNET_CHECK(sources.size() == targets.size(),
                  "score_pairs: " << sources.size() << " sources, " << targets.size() << " targets");
    const int64_t V = model.config().vocab_size;
    std::vector<int64_t> lengths;
    for (size_t i = 0; i < sources.size(); ++i)
        lengths.push_back(int64_t(std::max(sources[i].size(), targets[i].size())));
    std::vector<double> out(sources.size(), 0.0);
    const Context& ctx = model.context();
    const bool host = ctx.device.kind == DeviceKind::CPU;
    DeviceBuffer<double> logp_on_device;  // off the CPU: the per-row scores and their targets
    DeviceBuffer<int64_t> targets_on_device;
    for (const auto& batch : length_sorted_batches(lengths, mini_batch)) {
        std::vector<std::vector<int64_t>> src, tgt;
        for (size_t i : batch) {
            src.push_back(sources[i]);
            tgt.push_back(targets[i]);
        }
        const Batch b = make_batch(src, tgt, model.config());
        model.forward(b, StepRng{0, 0, false});
        const T* logits = model.logits();
        const int64_t N = b.B * b.T;
        std::vector<double> row_logp(size_t(N), 0.0);
        double* logp = host ? row_logp.data() : logp_on_device.ensure(ctx.device, N);
        const int64_t* targets = b.tgt_out.data();
        if (!host) {
            int64_t* t = targets_on_device.ensure(ctx.device, N);
            device_copy(ctx.device, t, Device{}, targets, size_t(N) * sizeof(int64_t));
            device_zero(ctx.device, logp, size_t(N) * sizeof(double));  // rows with target -1 stay 0
            targets = t;
        }
        ops::target_log_probs(ctx, tv(ctx, logp, {N}), tv(ctx, logits, {N, V}), tv(ctx, targets, {N}));
        if (!host) device_copy(Device{}, row_logp.data(), ctx.device, logp, size_t(N) * sizeof(double));
        for (size_t j = 0; j < batch.size(); ++j) {
            double s = 0;
            for (int64_t t = 0; t < b.T; ++t) s += row_logp[size_t(int64_t(j) * b.T + t)];
            out[batch[j]] = s;
        }
    }
    return out;
}

#define DEEPNET_INSTANTIATE(T)                                                                 \
    template std::vector<std::vector<Hypothesis>> translate_ids_parallel<T>(                   \
        const Transformer<T>&, const std::vector<std::vector<int64_t>>&, const SearchOptions&,  \
        int64_t, int64_t);                                                                     \
    template std::vector<std::vector<Hypothesis>> translate_ids<T>(                            \
        IncrementalDecoder<T>&, const std::vector<std::vector<int64_t>>&, const SearchOptions&, \
        int64_t);                                                                              \
    template std::vector<double> score_pairs<T>(Transformer<T>&,                               \
                                                const std::vector<std::vector<int64_t>>&,      \
                                                const std::vector<std::vector<int64_t>>&, int64_t);
DEEPNET_INSTANTIATE(float)
DEEPNET_INSTANTIATE(double)
#undef DEEPNET_INSTANTIATE

}  // namespace deepnet
