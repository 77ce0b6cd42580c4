// The two means sacreBLEU takes of bootstrap scores, reproduced bit for bit:
//   python_mean: statistics.mean (Score.estimate_ci, for --confidence): the exact
//     rational mean, rounded once;
//   numpy_mean: ndarray.mean (significance.estimate_ci and the paired bootstrap's
//     p-value): numpy's pairwise summation (blocks of 8 accumulators up to 128 values,
//     halves above), then one division.
#pragma once

#include <vector>

namespace deepnet::eval {

// Finite, non-negative values (scores); at least one.
double python_mean(const std::vector<double>& values);

double numpy_mean(const std::vector<double>& values);

}  // namespace deepnet::eval
