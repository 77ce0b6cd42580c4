// cached_attention_forward on CUDA against the CPU twin (double, same rounded inputs), for
// both cache layouts of kernels/cached_attention.h: the time-major self-attention cache
// (kv_block[n] = n) and the per-sentence cross-attention cache (several queries share one
// sentence). Key lengths differ per row and cross several 32-key chunks; head dims are odd,
// small and the 256 maximum; q and out have padded row strides; a head dim above the
// maximum is a clear error.
#include "cuda_test_support.h"
#include "kernels/cached_attention.h"

namespace k = deepnet::kernels;
using namespace deepnet::test_cuda;

namespace {

struct Case {
    const char* layout;
    int64_t N, H, D;
    int64_t blocks, slots;  // the cache holds blocks x slots key rows
    bool time_major;        // (slots, blocks, C) self-attention, else (blocks, slots, C)
};

template <typename T>
void check_case(const Case& c, std::mt19937_64& rng) {
    INFO(type_name(T{}) << " " << c.layout << " N=" << c.N << " H=" << c.H << " D=" << c.D
                        << " slots=" << c.slots);
    const int64_t C = c.H * c.D, ldq = C + 3, ldo = C + 5;
    k::cpu::CachedAttentionDims d{c.N, c.H, c.D, ldq, ldo, 0, 0};
    d.block_stride = c.time_major ? C : c.slots * C;
    d.key_stride = c.time_major ? c.blocks * C : C;
    std::vector<int64_t> kv_block(static_cast<size_t>(c.N)), key_len(static_cast<size_t>(c.N));
    std::uniform_int_distribution<int64_t> pick_len(1, c.slots), pick_block(0, c.blocks - 1);
    for (int64_t n = 0; n < c.N; ++n) {
        kv_block[size_t(n)] = c.time_major ? n : pick_block(rng);
        key_len[size_t(n)] = n == 0 ? c.slots : pick_len(rng);  // row 0: the whole cache
    }
    const auto q = random_inputs<T>(c.N * ldq, rng), kc = random_inputs<T>(c.blocks * c.slots * C, rng, 0.1, 2.0),
               vc = random_inputs<T>(c.blocks * c.slots * C, rng);
    std::vector<double> ref(static_cast<size_t>(c.N * ldo), 0.0);
    k::cpu::cached_attention_forward<double>(ref.data(), q.d.data(), kc.d.data(), vc.d.data(), kv_block.data(),
                                             key_len.data(), d);

    Dev<T> gq(q.s), gk(kc.s), gv(vc.s), gout(c.N * ldo);
    Dev<int64_t> gb(kv_block), gl(key_len);
    k::cuda::cached_attention_forward<T>(gout.get(), gq.get(), gk.get(), gv.get(), gb.get(), gl.get(), d, nullptr);
    auto got = download_d(gout);
    // The padding columns of out are never written: they must still hold the poison (NaN).
    for (int64_t n = 0; n < c.N; ++n)
        for (int64_t col = C; col < ldo; ++col) {
            CHECK(std::isnan(got[size_t(n * ldo + col)]));
            got[size_t(n * ldo + col)] = 0.0;
        }
    // Weighted means of values in [-1, 1]: fp32 accumulation of up to ~100 terms, or one
    // bf16 rounding of the result.
    const Tol tol = std::is_same_v<T, float> ? rel_tol(ref, 2e-6, 1e-5) : rel_tol(ref, 4e-3, 8e-3);
    CHECK_CLOSE("out", got, ref, tol);
}

}  // namespace

TEST_CASE("cuda cached_attention_forward matches the CPU for both cache layouts", "[cuda][cached_attention]") {
    auto rng = make_rng(501);
    const Case cases[] = {
        {"self, time-major", 6, 4, 64, 6, 70, true},
        {"self, time-major", 3, 1, 256, 3, 33, true},
        {"self, time-major", 5, 3, 5, 5, 1, true},
        {"cross, per sentence", 7, 2, 33, 3, 97, false},
        {"cross, per sentence", 4, 2, 128, 2, 32, false},
        {"cross, per sentence", 2, 1, 256, 1, 40, false},
    };
    for (const Case& c : cases) {
        check_case<float>(c, rng);
        check_case<bf16>(c, rng);
    }
}

TEST_CASE("cuda cached_attention_forward rejects a head dim above its maximum", "[cuda][cached_attention]") {
    const int64_t D = k::cuda::cached_attention_max_head_dim + 1;
    Dev<float> buf(D);
    Dev<int64_t> idx(std::vector<int64_t>{0});
    const k::cpu::CachedAttentionDims d{1, 1, D, D, D, 0, D};
    CHECK_THROWS_WITH(k::cuda::cached_attention_forward<float>(buf.get(), buf.get(), buf.get(), buf.get(), idx.get(),
                                                               idx.get(), d, nullptr),
                      Catch::Contains("head dim 257 not in [1, 256]"));
}
