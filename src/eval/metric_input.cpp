// Corpus checks, UTF-8 decoding and number formatting shared by the metrics.
#include "src/eval/metric_input.h"

#include <cstdio>

#include "src/core/error.h"
#include "src/eval/unicode_text.h"

namespace deepnet::eval {

DecodedCorpus decode_corpus(const std::vector<std::string>& hyps,
                            const std::vector<std::vector<std::string>>& refs) {
    DEEPNET_USER_CHECK(!hyps.empty(), "no hypotheses to score");
    DEEPNET_USER_CHECK(!refs.empty(), "no reference streams given");
    // sacreBLEU's API would silently zip to the shortest stream; its CLI refuses, as we do.
    for (std::size_t r = 0; r < refs.size(); ++r) {
        DEEPNET_USER_CHECK(refs[r].size() == hyps.size(),
                           "reference stream " << r + 1 << " has " << refs[r].size()
                                               << " lines but there are " << hyps.size()
                                               << " hypotheses");
    }
    DecodedCorpus out;
    out.hyps.reserve(hyps.size());
    out.refs.resize(hyps.size());
    int count_seen = -2;  // -2: none yet
    for (std::size_t i = 0; i < hyps.size(); ++i) {
        out.hyps.push_back(
            decode_utf8_checked(hyps[i], "hypothesis line " + std::to_string(i + 1)));
        for (std::size_t r = 0; r < refs.size(); ++r) {
            if (refs[r][i].empty()) continue;
            out.refs[i].push_back(decode_utf8_checked(
                refs[r][i], "reference stream " + std::to_string(r + 1) + " line " +
                                std::to_string(i + 1)));
        }
        const int n = static_cast<int>(out.refs[i].size());
        DEEPNET_USER_CHECK(n > 0, "line " << i + 1 << " has no non-empty reference (sacreBLEU 2.x "
                                            "refuses it too): drop that line from the hypotheses "
                                            "and references, or give another reference stream");
        count_seen = count_seen == -2 || count_seen == n ? n : -1;
    }
    out.nrefs = count_seen;
    return out;
}

std::string format_fixed(double value, int decimals) {
    char buf[64];
    const int n = std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
    if (n >= 0 && static_cast<std::size_t>(n) < sizeof(buf)) return std::string(buf, n);
    std::string big(static_cast<std::size_t>(n) + 1, '\0');
    std::snprintf(big.data(), big.size(), "%.*f", decimals, value);
    big.resize(static_cast<std::size_t>(n));
    return big;
}

std::string nrefs_field(int nrefs) {
    return "nrefs:" + (nrefs < 0 ? std::string("var") : std::to_string(nrefs));
}

}  // namespace deepnet::eval
