// Padding and special tokens for a batch (see batch.h).
#include "src/model/batch.h"

#include <algorithm>

#include "src/core/error.h"

namespace deepnet {

Batch make_batch(const std::vector<std::vector<int64_t>>& sources,
                 const std::vector<std::vector<int64_t>>& targets, const ModelConfig& cfg) {
    DEEPNET_CHECK(sources.size() == targets.size() || targets.empty(),
                  "make_batch: " << sources.size() << " sources but " << targets.size()
                                 << " targets");
    Batch b;
    b.B = int64_t(sources.size());
    for (const auto& s : sources) b.S = std::max<int64_t>(b.S, int64_t(s.size()) + 1);
    for (const auto& t : targets) b.T = std::max<int64_t>(b.T, int64_t(t.size()) + 1);
    b.src.assign(size_t(b.B * b.S), cfg.pad_id);
    b.src_pos.assign(size_t(b.B * b.S), 0);
    b.src_len.assign(size_t(b.B), 0);
    b.tgt_in.assign(size_t(b.B * b.T), cfg.pad_id);
    b.tgt_out.assign(size_t(b.B * b.T), -1);
    b.tgt_pos.assign(size_t(b.B * b.T), 0);
    b.tgt_len.assign(size_t(b.B), 0);
    for (int64_t i = 0; i < b.B; ++i) {
        const auto& s = sources[size_t(i)];
        const int64_t ls = int64_t(s.size());
        for (int64_t j = 0; j < ls; ++j) b.src[size_t(i * b.S + j)] = s[size_t(j)];
        b.src[size_t(i * b.S + ls)] = cfg.eos_id;
        for (int64_t j = 0; j < b.S; ++j) b.src_pos[size_t(i * b.S + j)] = j;
        b.src_len[size_t(i)] = ls + 1;
        if (targets.empty()) continue;
        const auto& t = targets[size_t(i)];
        const int64_t lt = int64_t(t.size());
        b.tgt_in[size_t(i * b.T)] = cfg.bos_id;
        for (int64_t j = 0; j < lt; ++j) {
            b.tgt_in[size_t(i * b.T + j + 1)] = t[size_t(j)];
            b.tgt_out[size_t(i * b.T + j)] = t[size_t(j)];
        }
        b.tgt_out[size_t(i * b.T + lt)] = cfg.eos_id;
        for (int64_t j = 0; j < b.T; ++j) b.tgt_pos[size_t(i * b.T + j)] = j;
        b.tgt_len[size_t(i)] = lt + 1;
        b.target_tokens += lt + 1;
    }
    return b;
}

namespace {
void check_ids(const std::vector<int64_t>& ids, int64_t lo, int64_t hi, const char* what) {
    for (int64_t v : ids)
        DEEPNET_CHECK(v >= lo && v < hi, "batch: " << what << " " << v << " not in [" << lo << ", " << hi << ")");
}
}  // namespace

BatchIndices BatchUpload::place(const Device& device, const Batch& b, int64_t vocab) {
    if (device.kind != DeviceKind::CPU) {
        check_ids(b.src, 0, vocab, "source token");
        check_ids(b.src_pos, 0, b.S, "source position");
        check_ids(b.src_len, 1, b.S + 1, "source length");
        if (b.T > 0) {  // T = 0: sources only (the encoder pass of decoding)
            check_ids(b.tgt_in, 0, vocab, "target token");
            check_ids(b.tgt_out, -1, vocab, "target");
            check_ids(b.tgt_pos, 0, b.T, "target position");
            check_ids(b.tgt_len, 1, b.T + 1, "target length");
        }
    }
    const auto p = upload_.place<7>(device, {&b.src, &b.src_pos, &b.src_len, &b.tgt_in, &b.tgt_out, &b.tgt_pos,
                                             &b.tgt_len});
    return {p[0], p[1], p[2], p[3], p[4], p[5], p[6]};
}

}  // namespace deepnet
