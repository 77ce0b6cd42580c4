// LayerNorm input sizes from the saved statistics (see layer_norm_probe.h).
#include "src/model/layer_norm_probe.h"

#include <algorithm>
#include <cmath>

namespace deepnet {

template <typename T>
double layer_norm_input_rms(const ResidualSaved<T>& sv, double eps, const std::vector<int64_t>& lens, int64_t L) {
    const int64_t rows = int64_t(lens.size()) * L;
    DEEPNET_CHECK(sv.mean.size() >= rows && sv.rstd.size() >= rows, "LayerNorm statistics of " << sv.mean.size()
                                                                      << " rows, expected " << rows);
    const size_t n = size_t(rows);
    std::vector<T> mean(n), rstd(n);  // read back from the device
    device_copy(Device{}, mean.data(), sv.mean.device(), sv.mean.data(), n * sizeof(T));
    device_copy(Device{}, rstd.data(), sv.rstd.device(), sv.rstd.data(), n * sizeof(T));
    double sum = 0;
    int64_t count = 0;
    for (size_t b = 0; b < lens.size(); ++b)
        for (int64_t t = 0; t < std::min(lens[b], L); ++t) {
            const double m = double(mean[b * size_t(L) + size_t(t)]), r = double(rstd[b * size_t(L) + size_t(t)]);
            const double var = std::max(1.0 / (r * r) - eps, 0.0);
            sum += std::sqrt(var + m * m);
            ++count;
        }
    return count > 0 ? sum / double(count) : 0.0;
}

template double layer_norm_input_rms<float>(const ResidualSaved<float>&, double, const std::vector<int64_t>&, int64_t);
template double layer_norm_input_rms<double>(const ResidualSaved<double>&, double, const std::vector<int64_t>&,
                                             int64_t);

}  // namespace deepnet
