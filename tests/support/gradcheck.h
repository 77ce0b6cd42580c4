// Test helpers: seeded random fills, closeness checks that report the worst element, and
// central finite differences in double.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace deepnet::test {

inline std::vector<double> random_vec(size_t n, uint64_t seed, double scale = 1.0) {
    std::mt19937_64 g(seed);
    std::normal_distribution<double> d(0.0, scale);
    std::vector<double> v(n);
    for (auto& x : v) x = d(g);
    return v;
}

// max over i of |got - ref| / (atol + rtol |ref|); passes when <= 1.
inline void require_close(const std::string& what, const double* got, const double* ref, size_t n,
                          double atol, double rtol) {
    double worst = 0;
    size_t wi = 0;
    for (size_t i = 0; i < n; ++i) {
        const double r = std::fabs(got[i] - ref[i]) / (atol + rtol * std::fabs(ref[i]));
        if (!(r <= worst)) {  // also catches NaN
            worst = r;
            wi = i;
        }
    }
    INFO(what << ": worst element " << wi << " got " << got[wi] << " expected " << ref[wi]
              << " (atol " << atol << ", rtol " << rtol << ")");
    REQUIRE(worst <= 1.0);
}

// Checks analytic[i] against (loss(x+h) - loss(x-h)) / 2h at up to `max_checks` indices
// spread over x (all of them when n is small).
inline void check_gradient(const std::string& what, const std::function<double()>& loss,
                           double* x, const double* analytic, size_t n, size_t max_checks = 64,
                           double h = 1e-6, double atol = 1e-7, double rtol = 1e-5) {
    REQUIRE(n > 0);
    const size_t step = n <= max_checks ? 1 : n / max_checks;
    std::vector<double> num, ana;
    for (size_t i = 0; i < n; i += step) {
        const double keep = x[i];
        x[i] = keep + h;
        const double lp = loss();
        x[i] = keep - h;
        const double lm = loss();
        x[i] = keep;
        num.push_back((lp - lm) / (2 * h));
        ana.push_back(analytic[i]);
    }
    double norm = 0;
    for (double a : ana) norm += std::fabs(a);
    INFO(what << ": sum |analytic| over checked entries = " << norm);
    REQUIRE(norm > 0);  // a check of an all-zero gradient proves nothing
    require_close(what, ana.data(), num.data(), ana.size(), atol, rtol);
}

}  // namespace deepnet::test
