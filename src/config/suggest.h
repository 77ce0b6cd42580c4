// "Did you mean ...?": the closest valid name to a misspelt one, by edit distance
// (Levenshtein plus adjacent transpositions, so "dpeth" is one edit from "depth").
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace deepnet {

size_t edit_distance(const std::string& a, const std::string& b);

// The candidate nearest to word, or "" when none is close enough to be a plausible typo
// (more than max(1, |word| / 3) edits away): suggesting 'log' for 'foo' would mislead.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace deepnet
