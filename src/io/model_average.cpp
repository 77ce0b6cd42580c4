// Checkpoint averaging (see model_average.h).
#include "src/io/model_average.h"

#include <cmath>

#include "src/core/error.h"
#include "src/io/model_file.h"

namespace deepnet {
namespace {

// The same tensors (names, shapes, places in the flat buffer) and the same vocabulary.
void check_same_model(const LoadedModel& first, const LoadedModel& other, const std::string& first_path,
                      const std::string& path) {
    const auto& a = first.model->spec().layout.entries();
    const auto& b = other.model->spec().layout.entries();
    bool same = a.size() == b.size() &&
                first.model->spec().layout.total() == other.model->spec().layout.total();
    for (size_t i = 0; same && i < a.size(); ++i)
        same = a[i].name == b[i].name && a[i].shape == b[i].shape && a[i].offset == b[i].offset;
    DEEPNET_USER_CHECK(same, path << " has other tensors than " << first_path
                                  << " (another architecture): only checkpoints of one model can be averaged");
    DEEPNET_USER_CHECK(other.meta.vocab_proto == first.meta.vocab_proto,
                       path << " has another vocabulary than " << first_path
                            << ": only checkpoints of one model can be averaged");
}

}  // namespace

void average_model_files(const std::vector<std::string>& inputs, const std::string& output) {
    DEEPNET_USER_CHECK(!inputs.empty(), "no models to average: give at least one");
    const LoadedModel first = load_model_file(inputs.front());
    const size_t n = size_t(first.model->spec().layout.total());
    std::vector<double> sum(n, 0.0);
    auto add = [&](const LoadedModel& m) {
        const float* v = m.model->params().v(0);
        for (size_t i = 0; i < n; ++i) sum[i] += double(v[i]);
    };
    add(first);
    ModelMetadata meta = first.meta;
    for (size_t k = 1; k < inputs.size(); ++k) {
        const LoadedModel m = load_model_file(inputs[k]);
        check_same_model(first, m, inputs.front(), inputs[k]);
        add(m);
        meta = m.meta;
    }
    std::vector<float> mean(n);
    for (size_t i = 0; i < n; ++i) mean[i] = float(sum[i] / double(inputs.size()));
    save_model_file(output, first.model->spec(), mean.data(), meta);
}

}  // namespace deepnet
