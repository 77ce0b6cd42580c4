// Parameters in one flat buffer (and gradients in a second one of the same layout), each
// tensor found by its fairseq-style name (docs/model-format.md). The flat layout lets one
// fused optimizer launch, one gradient-norm pass and (later) one all-reduce cover the model.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kernels/onednn_matmul.h"

namespace deepnet {

struct ParamEntry {
    std::string name;
    std::vector<int64_t> shape;
    int64_t offset = 0;  // elements into the flat buffer
    int64_t size = 0;    // elements
};

class ParamLayout {
public:
    // Declares a tensor and returns its offset. Offsets are aligned to 16 elements.
    int64_t add(const std::string& name, const std::vector<int64_t>& shape);
    const ParamEntry& at(const std::string& name) const;
    bool contains(const std::string& name) const { return index_.count(name) > 0; }
    const std::vector<ParamEntry>& entries() const { return entries_; }
    int64_t total() const { return total_; }       // buffer length (with alignment gaps)
    int64_t count() const;                         // number of parameters proper

private:
    std::vector<ParamEntry> entries_;
    std::map<std::string, size_t> index_;
    int64_t total_ = 0;
};

template <typename T>
struct Params {
    std::vector<T> value;  // (total)
    std::vector<T> grad;   // (total), same layout
    // How the GEMMs over these weights compute: precision [bfloat16, float32] keeps the
    // weights, gradients and optimizer in float32 and rounds only the GEMM operands.
    kernels::cpu::MatmulPrecision matmul = kernels::cpu::MatmulPrecision::Float32;
    // Inference needs no gradients: `gradients` false leaves grad empty.
    void allocate(const ParamLayout& layout, bool gradients = true) {
        value.assign(size_t(layout.total()), T(0));
        grad.assign(gradients ? size_t(layout.total()) : 0, T(0));
    }
    void zero_grad() { std::fill(grad.begin(), grad.end(), T(0)); }
    T* v(int64_t off) { return value.data() + off; }
    const T* v(int64_t off) const { return value.data() + off; }
    T* g(int64_t off) { return grad.data() + off; }
};

}  // namespace deepnet
