// embedding on CUDA against the CPU twin (double, same rounded inputs): forward lookup with
// scale and positions; backward accumulation into fp32 dtable with repeated tokens and a
// skipped padding token, bit-for-bit repeatable.
#include "cuda_test_support.h"
#include "kernels/embedding.h"

namespace k = deepnet::kernels;
using namespace deepnet::test_cuda;

namespace {

constexpr int64_t kVocab = 50, kPositions = 64, kPad = 1;

std::vector<int64_t> random_ids(int64_t n, int64_t range, std::mt19937_64& rng) {
    std::uniform_int_distribution<int64_t> d(0, range - 1);
    std::vector<int64_t> v(static_cast<size_t>(n));
    for (auto& t : v) t = d(rng);
    return v;
}

template <typename T>
void check_embedding(int64_t N, int64_t C, std::mt19937_64& rng) {
    INFO(type_name(T{}) << " N=" << N << " C=" << C);
    const auto tokens = random_ids(N, kVocab, rng), positions = random_ids(N, kPositions, rng);
    const auto table = random_inputs<T>(kVocab * C, rng),
               pos = random_inputs<T>(kPositions * C, rng);
    const auto dy = random_inputs<T>(N * C, rng);
    const auto dtable0 = random_inputs<float>(kVocab * C, rng);
    const float scale = 22.627417f;  // sqrt(512)

    std::vector<double> y(N * C), dtable = dtable0.d;
    k::cpu::embedding_forward<double>(y.data(), tokens.data(), positions.data(), table.d.data(),
                                      pos.d.data(), scale, N, C);
    k::cpu::embedding_backward<double>(dtable.data(), dy.d.data(), tokens.data(), scale, kPad, N,
                                       C);

    Dev<int64_t> gtok(tokens), gpos(positions);
    Dev<T> gtable(table.s), gpt(pos.s), gy(N * C), gdy(dy.s);
    Dev<float> gdt(dtable0.s);
    k::cuda::embedding_forward<T>(gy.get(), gtok.get(), gpos.get(), gtable.get(), gpt.get(), scale,
                                  N, C, nullptr);
    const Tol ytol = std::is_same_v<T, float> ? rel_tol(y, 1e-6, 1e-6) : rel_tol(y, 1e-2, 1e-2);
    CHECK_CLOSE("y", download_d(gy), y, ytol);

    const size_t bytes = k::cuda::embedding_backward_scratch_bytes(N, kVocab);
    Dev<unsigned char> scratch(static_cast<int64_t>(bytes));
    k::cuda::embedding_backward<T>(gdt.get(), gdy.get(), gtok.get(), scale, kPad, N, C, kVocab,
                                   scratch.get(), bytes, nullptr);
    const auto dt1 = gdt.download();
    CHECK_CLOSE("dtable", to_doubles(dt1), dtable, rel_tol(dtable, 1e-5, 1e-5));
    gdt.upload(dtable0.s);
    k::cuda::embedding_backward<T>(gdt.get(), gdy.get(), gtok.get(), scale, kPad, N, C, kVocab,
                                   scratch.get(), bytes, nullptr);
    check_same_bits("dtable, second run", gdt.download(), dt1);
}

}  // namespace

TEST_CASE("cuda embedding matches the CPU", "[cuda][embedding]") {
    auto rng = make_rng(201);
    for (int64_t N : {1, 7, 300})
        for (int64_t C : {1, 3, 64, 100, 512, 1000}) {
            check_embedding<float>(N, C, rng);
            check_embedding<bf16>(N, C, rng);
        }
}

TEST_CASE("cuda embedding backward with long runs of one token", "[cuda][embedding]") {
    // 20000 rows over 50 tokens: runs of ~400 rows per token, summed in row order.
    auto rng = make_rng(202);
    check_embedding<float>(20000, 512, rng);
    check_embedding<bf16>(20000, 256, rng);
}
