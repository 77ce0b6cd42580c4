// The number of edits TER counts between two tokenized sentences: sacreBLEU 2.x's
// lib_ter.translation_edit_rate (a tercom port), step for step.
//   - Shifts: repeatedly apply the block move that lowers the (beam) edit distance most,
//     ranking candidates as tercom does (gain, then longer block, then earlier hypothesis
//     position, then earlier target), with blocks of at most 10 words moved at most 50
//     positions, and stop when no shift helps or after 1000 evaluated candidates in all
//     (a shift found in the call that reaches 1000 is dropped, as in sacreBLEU).
//   - Edit distance: Levenshtein with unit costs on a beam of 25 cells either side of the
//     length-scaled diagonal (wider for very unequal lengths), ties preferring
//     match/substitution, then deletion, then insertion.
// An empty reference costs one edit per hypothesis word. Words are compared as ids.
#pragma once

#include <cstdint>
#include <vector>

namespace deepnet::eval {

// Returns shifts + edit distance after shifting.
int64_t ter_num_edits(const std::vector<int>& hyp, const std::vector<int>& ref);

}  // namespace deepnet::eval
