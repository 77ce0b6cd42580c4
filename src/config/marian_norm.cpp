// Marian's residual scheme strings -> deepnet's transformer-norm. Marian builds each
// sublayer from letters: --transformer-preprocess (before it), --transformer-postprocess
// (after it), d = dropout, a = add the residual, n = LayerNorm. Two combinations are
// schemes deepnet has:
//   preprocess "",  postprocess "dan"  -> post  x = LN(x + drop(G(x)))   (Marian's default)
//   preprocess "n", postprocess "da"   -> pre   x = x + drop(G(LN(x)))
// DeepNorm is a Post-LN scheme, so "dan" means post unless transformer-norm deepnorm is
// given explicitly, which is then kept (with a note). Marian's
// --transformer-postprocess-emb must be "d" (deepnet drops out after the embeddings) and
// --transformer-postprocess-top "n" goes with pre (deepnet's pre-norm stacks end with a LN).
#include "src/config/marian_options.h"
#include "src/config/marian_rows.h"
#include "src/config/option_value.h"

namespace deepnet::marian {
namespace {

const MarianSetting* find(const ResolvedOptions& opts, const std::string& name) {
    for (const auto& s : opts.marian_settings())
        if (s.name == name) return &s;
    return nullptr;
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

}  // namespace

void map_transformer_norm(ResolvedOptions& opts) {
    const MarianSetting* pre = find(opts, "transformer-preprocess");
    const MarianSetting* post = find(opts, "transformer-postprocess");
    const MarianSetting* emb = find(opts, "transformer-postprocess-emb");
    const MarianSetting* top = find(opts, "transformer-postprocess-top");
    if (emb != nullptr && word(*emb) != "d")
        refuse(*emb, "deepnet applies dropout (transformer-dropout) after the embeddings and nothing else, "
                     "Marian's 'd'; use d (transformer-dropout 0 switches dropout off)");
    if (pre == nullptr && post == nullptr) {
        if (top != nullptr && !word(*top).empty())
            refuse(*top, "a final LayerNorm comes with pre-norm only: --transformer-preprocess n "
                         "--transformer-postprocess da");
        return;
    }
    const std::string p = pre != nullptr ? word(*pre) : "", q = post != nullptr ? word(*post) : "dan";
    const MarianSetting& given = post != nullptr ? *post : *pre;  // the provenance shown for the scheme
    std::string scheme;
    if (p.empty() && q == "dan") scheme = "post";
    else if (p == "n" && q == "da") scheme = "pre";
    else
        refuse(given, "transformer-preprocess " + quoted(p) + " with transformer-postprocess " + quoted(q) +
                          " is not a scheme deepnet has: use '' with 'dan' (Post-LN, transformer-norm post) or "
                          "'n' with 'da' (Pre-LN, transformer-norm pre); DeepNorm and Sub-LN are "
                          "transformer-norm deepnorm and subln");
    const std::string t = top != nullptr ? word(*top) : "";
    if (scheme == "post" && !t.empty())
        refuse(*top, "a final LayerNorm comes with pre-norm only (transformer-preprocess n, "
                     "transformer-postprocess da)");
    if (scheme == "pre" && t != "n")
        opts.notes().push_back("transformer-norm pre (from " + written(given) + "): deepnet's pre-norm stacks "
                               "end with a LayerNorm, Marian's --transformer-postprocess-top n");
    const std::string& norm = opts.get<std::string>("transformer-norm");
    if (!opts.is_default("transformer-norm") && norm == "deepnorm" && scheme == "post") {
        opts.notes().push_back("transformer-norm deepnorm (" + opts.where("transformer-norm") + ") is kept beside " +
                               written(given) + ": DeepNorm is a Post-LN scheme, x = LN(alpha x + G(x))");
        return;
    }
    set_unless_given(opts, "transformer-norm", scheme, given);
}

}  // namespace deepnet::marian
