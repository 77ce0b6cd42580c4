// Input handling shared by BLEU and chrF: checks the hypothesis and reference streams the
// way sacreBLEU 2.x does (Metric._cache_references), decodes them from UTF-8 naming the
// offending line, and formats numbers as Python's f"{x:.Nf}".
#pragma once

#include <string>
#include <vector>

namespace deepnet::eval {

// sacreBLEU release whose behaviour and signatures the metrics reproduce.
inline constexpr const char* kSacrebleuCompatVersion = "2.4.0";

struct DecodedCorpus {
    std::vector<std::u32string> hyps;               // [segments]
    std::vector<std::vector<std::u32string>> refs;  // [segments][non-empty refs, stream order]
    int nrefs = 0;  // references per segment, or -1 when the count varies
};

// refs[r][i] is stream r, segment i. Empty reference strings are dropped (sacreBLEU's
// "variable number of references"); a segment left with none is a UserError, as are
// streams of unequal length and invalid UTF-8 (the message names stream and line).
DecodedCorpus decode_corpus(const std::vector<std::string>& hyps,
                            const std::vector<std::vector<std::string>>& refs);

// Python's f"{value:.{decimals}f}" (both round the exact binary value, half to even).
std::string format_fixed(double value, int decimals);

// "nrefs:<n>" or "nrefs:var", the signature's first field.
std::string nrefs_field(int nrefs);

}  // namespace deepnet::eval
