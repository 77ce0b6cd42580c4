// Shared by the CUDA tests: device arrays poisoned with NaN before each run (an unwritten
// element fails the comparison), random non-zero inputs in float or bf16 storage (with the
// rounded values as doubles for the CPU reference), and a comparison
// |got - ref| <= atol + rtol |ref| that reports the worst element.
#pragma once

#include <catch2/catch.hpp>
#include <cuda_runtime_api.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/kernel_types.h"
#include "src/core/cuda_context.h"

namespace deepnet::test_cuda {

using kernels::bf16;
constexpr int kSkipReturnCode = 77;

#define REQUIRE_CUDA(expr)                             \
    do {                                               \
        const cudaError_t e_ = (expr);                 \
        INFO(#expr << ": " << cudaGetErrorString(e_)); \
        REQUIRE(e_ == cudaSuccess);                    \
    } while (0)

// Fresh inputs on every run unless DEEPNET_TEST_SEED is set; the runner prints the seed.
inline uint64_t base_seed() {
    static const uint64_t seed = [] {
        if (const char* s = std::getenv("DEEPNET_TEST_SEED"))
            return uint64_t(std::strtoull(s, nullptr, 10));
        return (uint64_t(std::random_device{}()) << 32) ^ std::random_device{}();
    }();
    return seed;
}

// One generator per test case, derived from the base seed and the case's own number.
inline std::mt19937_64 make_rng(uint64_t salt) { return std::mt19937_64(base_seed() * 31 + salt); }

template <typename T>
T to_storage(double v);
template <>
inline float to_storage<float>(double v) {
    return float(v);
}
template <>
inline bf16 to_storage<bf16>(double v) {
    return kernels::float_to_bf16(float(v));
}
inline double to_double(float v) { return v; }
inline double to_double(bf16 v) { return kernels::bf16_to_float(v); }

template <typename T>
std::vector<double> to_doubles(const std::vector<T>& v) {
    std::vector<double> d(v.size());
    for (size_t i = 0; i < v.size(); ++i) d[i] = to_double(v[i]);
    return d;
}

template <typename T>
std::vector<T> to_storage_vec(const std::vector<double>& v) {
    std::vector<T> s(v.size());
    for (size_t i = 0; i < v.size(); ++i) s[i] = to_storage<T>(v[i]);
    return s;
}

// Inputs in storage precision and the same values as doubles (after rounding).
template <typename T>
struct HostData {
    std::vector<T> s;
    std::vector<double> d;
};

// n values with |v| in [lo, hi] and a random sign: never zero.
template <typename T>
HostData<T> random_inputs(int64_t n, std::mt19937_64& rng, double lo = 0.1, double hi = 1.0) {
    std::uniform_real_distribution<double> mag(lo, hi);
    std::bernoulli_distribution sign(0.5);
    HostData<T> h;
    h.s.resize(size_t(n));
    for (auto& v : h.s) v = to_storage<T>(sign(rng) ? mag(rng) : -mag(rng));
    h.d = to_doubles(h.s);
    return h;
}

// A device array of T, filled with 0xFF bytes (NaN in float and bf16) or uploaded.
template <typename T>
class Dev {
public:
    explicit Dev(int64_t n) : buf_(n, "test array") {
        if (n) REQUIRE_CUDA(cudaMemset(buf_.data(), 0xFF, buf_.bytes()));
    }
    explicit Dev(const std::vector<T>& h) : buf_(int64_t(h.size()), "test array") { upload(h); }
    void upload(const std::vector<T>& h) {
        REQUIRE(int64_t(h.size()) == buf_.size());
        if (!h.empty())
            REQUIRE_CUDA(cudaMemcpy(buf_.data(), h.data(), buf_.bytes(), cudaMemcpyHostToDevice));
    }
    std::vector<T> download() const {
        REQUIRE_CUDA(cudaDeviceSynchronize());
        std::vector<T> h(size_t(buf_.size()));
        if (!h.empty())
            REQUIRE_CUDA(cudaMemcpy(h.data(), buf_.data(), buf_.bytes(), cudaMemcpyDeviceToHost));
        return h;
    }
    T* get() const { return buf_.data(); }
    int64_t size() const { return buf_.size(); }

private:
    CudaBuffer<T> buf_;
};

template <typename T>
std::vector<double> download_d(const Dev<T>& d) {
    return to_doubles(d.download());
}

inline double max_abs(const std::vector<double>& v) {
    double m = 0;
    for (double x : v) m = std::max(m, std::fabs(x));
    return m;
}

struct Tol {
    double atol, rtol;
};

// Tolerance with atol relative to the largest reference value.
inline Tol rel_tol(const std::vector<double>& ref, double a, double r) {
    return {a * std::max(max_abs(ref), 1e-30), r};
}

struct Report {
    bool ok = true;
    int64_t bad = 0, worst = -1, n = 0;
    double got = 0, ref = 0, err = 0, allowed = 0;
    std::string str(const std::string& name) const {
        std::ostringstream os;
        os << name << ": " << bad << " of " << n << " elements out of tolerance";
        if (worst >= 0)
            os << "; worst [" << worst << "] got " << got << " ref " << ref << " |diff| " << err
               << " allowed " << allowed;
        return os.str();
    }
};

inline Report compare(const std::vector<double>& got, const std::vector<double>& ref, Tol tol) {
    Report r;
    r.n = int64_t(ref.size());
    if (got.size() != ref.size()) {
        r.ok = false;
        r.bad = r.n;
        return r;
    }
    double worst_ratio = -1;
    for (size_t i = 0; i < ref.size(); ++i) {
        const double err = std::fabs(got[i] - ref[i]);
        const double allowed = tol.atol + tol.rtol * std::fabs(ref[i]);
        const bool fine = err <= allowed;  // NaN fails
        const double ratio = std::isnan(err) ? INFINITY : err / std::max(allowed, 1e-300);
        if (!fine) ++r.bad;
        if (ratio > worst_ratio) {
            worst_ratio = ratio;
            r.worst = int64_t(i), r.got = got[i], r.ref = ref[i], r.err = err, r.allowed = allowed;
        }
    }
    r.ok = r.bad == 0;
    return r;
}

#define CHECK_CLOSE(name, got, ref, tol)                                         \
    do {                                                                         \
        const auto report_ = ::deepnet::test_cuda::compare((got), (ref), (tol)); \
        INFO(report_.str(name));                                                 \
        CHECK(report_.ok);                                                       \
    } while (0)

// Bitwise equality of two host arrays, with the first difference on failure.
template <typename T>
void check_same_bits(const std::string& name, const std::vector<T>& a, const std::vector<T>& b) {
    REQUIRE(a.size() == b.size());
    int64_t first = -1, count = 0;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::memcmp(&a[i], &b[i], sizeof(T)) != 0) {
            if (first < 0) first = int64_t(i);
            ++count;
        }
    INFO(name << ": " << count << " elements differ, first at " << first);
    CHECK(count == 0);
}

inline const char* type_name(float) { return "float"; }
inline const char* type_name(bf16) { return "bf16"; }

}  // namespace deepnet::test_cuda
