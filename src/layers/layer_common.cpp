// Parameter declarations shared by the layers (fairseq names: <name>.weight / <name>.bias).
#include "src/layers/layer_common.h"

namespace deepnet {

LinearSpec declare_linear(ParamLayout& layout, const std::string& name, int64_t in, int64_t out,
                          bool bias) {
    LinearSpec s;
    s.in = in;
    s.out = out;
    s.w = layout.add(name + ".weight", {out, in});
    if (bias) s.b = layout.add(name + ".bias", {out});
    return s;
}

NormSpec declare_norm(ParamLayout& layout, const std::string& name, int64_t dim) {
    NormSpec s;
    s.dim = dim;
    s.gamma = layout.add(name + ".weight", {dim});
    s.beta = layout.add(name + ".bias", {dim});
    return s;
}

}  // namespace deepnet
