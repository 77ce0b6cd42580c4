// lib_ter.py in C++. Names follow the Python (translation_edit_rate, _shift,
// _find_shifted_pairs, trace_to_alignment, BeamEditDistance) so the two read side by side.
#include "src/eval/ter_edits.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>

#include "src/core/error.h"

namespace deepnet::eval {

namespace {

constexpr int kMaxShiftSize = 10;
constexpr int kMaxShiftDist = 50;
constexpr int kBeamWidth = 25;
constexpr int kMaxShiftCandidates = 1000;
constexpr int64_t kInf = 10000000000000000LL;  // int(1e16)

enum Op : char { kIns = 'i', kDel = 'd', kNop = ' ', kSub = 's', kUndef = 'x' };

struct Cell {
    int64_t cost;
    char op;
};
using Row = std::vector<Cell>;

// BeamEditDistance. sacreBLEU caches matrix rows by hypothesis prefix; a row depends only
// on the previous row and its word (every hypothesis seen here has the same length), so
// caching changes speed, not results. We keep the rows of the last base hypothesis and
// restart from its longest common prefix with the sentence asked for.
class BeamEditDistance {
public:
    explicit BeamEditDistance(const std::vector<int>& ref) : ref_(ref) {}

    // Edit distance from `hyp` to the reference and the trace of operations (ref-major:
    // 'i' consumes a reference word, 'd' a hypothesis word).
    std::pair<int64_t, std::string> operator()(const std::vector<int>& hyp) {
        std::size_t start = 0;
        if (rows_.size() == hyp.size() + 1) {
            while (start < hyp.size() && start < words_.size() && words_[start] == hyp[start])
                ++start;
        } else {
            rows_.clear();
        }
        compute(hyp, start);
        words_ = hyp;
        return {rows_.back()[ref_.size()].cost, trace()};
    }

private:
    void compute(const std::vector<int>& hyp, std::size_t start_h) {
        const std::size_t n_h = hyp.size(), n_r = ref_.size();
        if (rows_.empty()) {
            Row initial(n_r + 1);
            for (std::size_t j = 0; j <= n_r; ++j) initial[j] = {static_cast<int64_t>(j), kIns};
            rows_.push_back(std::move(initial));
            rows_.resize(n_h + 1);
            start_h = 0;
        }
        const double length_ratio = n_h > 0 ? static_cast<double>(n_r) / static_cast<double>(n_h) : 1.0;
        int64_t beam = kBeamWidth;
        if (kBeamWidth < length_ratio / 2) beam = static_cast<int64_t>(std::ceil(length_ratio / 2 + kBeamWidth));
        for (std::size_t i = start_h + 1; i <= n_h; ++i) {
            Row& row = rows_[i];
            row.assign(n_r + 1, Cell{kInf, kUndef});
            const Row& prev = rows_[i - 1];
            const int64_t diag = static_cast<int64_t>(std::floor(static_cast<double>(i) * length_ratio));
            const int64_t min_j = std::max<int64_t>(0, diag - beam);
            int64_t max_j = std::min<int64_t>(static_cast<int64_t>(n_r) + 1, diag + beam);
            if (i == n_h) max_j = static_cast<int64_t>(n_r) + 1;
            for (int64_t jj = min_j; jj < max_j; ++jj) {
                const std::size_t j = static_cast<std::size_t>(jj);
                if (j == 0) {
                    row[0] = {prev[0].cost + 1, kDel};
                    continue;
                }
                const bool same = hyp[i - 1] == ref_[j - 1];
                const Cell ops[3] = {{prev[j - 1].cost + (same ? 0 : 1), same ? kNop : kSub},
                                     {prev[j].cost + 1, kDel},
                                     {row[j - 1].cost + 1, kIns}};
                for (const Cell& c : ops)
                    if (row[j].cost > c.cost) row[j] = c;
            }
        }
    }

    std::string trace() const {
        std::string t;
        std::size_t i = rows_.size() - 1, j = ref_.size();
        while (i > 0 || j > 0) {
            const char op = rows_[i][j].op;
            t.push_back(op);
            if (op == kSub || op == kNop) {
                --i;
                --j;
            } else if (op == kIns) {
                --j;
            } else if (op == kDel) {
                --i;
            } else {
                DEEPNET_CHECK(false, "TER: edit path left the beam (sacreBLEU fails here too)");
            }
        }
        std::reverse(t.begin(), t.end());
        return t;
    }

    const std::vector<int>& ref_;
    std::vector<int> words_;  // the hypothesis rows_ belong to
    std::vector<Row> rows_;
};

struct Alignment {
    std::vector<int> align;  // reference position -> hypothesis position (-1: before all)
    std::vector<int> ref_err, hyp_err;
};

// _flip_trace + trace_to_alignment: the inverse trace rewrites the reference into the
// hypothesis, so 'i' and 'd' swap roles.
Alignment trace_to_alignment(const std::string& inv_trace, std::size_t n_ref) {
    Alignment a;
    a.align.assign(n_ref, -1);
    int pos_hyp = -1, pos_ref = -1;
    for (char inv : inv_trace) {
        const char op = inv == kIns ? char(kDel) : inv == kDel ? char(kIns) : inv;
        if (op == kNop || op == kSub) {
            ++pos_hyp;
            ++pos_ref;
            a.align[static_cast<std::size_t>(pos_ref)] = pos_hyp;
            a.hyp_err.push_back(op == kSub);
            a.ref_err.push_back(op == kSub);
        } else if (op == kIns) {
            ++pos_hyp;
            a.hyp_err.push_back(1);
        } else {
            ++pos_ref;
            a.align[static_cast<std::size_t>(pos_ref)] = pos_hyp;
            a.ref_err.push_back(1);
        }
    }
    return a;
}

std::vector<int> perform_shift(const std::vector<int>& w, int start, int length, int target) {
    const auto b = w.begin();
    std::vector<int> out;
    out.reserve(w.size());
    const int n = static_cast<int>(w.size());
    // Python slice semantics: bounds clamp to [0, n], an inverted range is empty.
    auto add = [&](int from, int to) {
        from = std::clamp(from, 0, n);
        to = std::clamp(to, 0, n);
        if (from < to) out.insert(out.end(), b + from, b + to);
    };
    if (target < start) {
        add(0, target), add(start, start + length), add(target, start), add(start + length, n);
    } else if (target > start + length) {
        add(0, start), add(start + length, target), add(start, start + length), add(target, n);
    } else {  // within the shifted block (sacreBLEU's third branch)
        add(0, start), add(start + length, length + target), add(start, start + length),
            add(length + target, n);
    }
    return out;
}

int sum(const std::vector<int>& v, int from, int length) {
    int s = 0;
    for (int k = from; k < from + length && k < static_cast<int>(v.size()); ++k) s += v[k];
    return s;
}

struct ShiftResult {
    int64_t delta = 0;
    std::vector<int> words;
};

// _shift: the best shift of words_h, or delta 0 and words_h when none helps.
ShiftResult best_shift(const std::vector<int>& words_h, const std::vector<int>& words_r,
                       BeamEditDistance& ed, int& checked) {
    // Named, not a structured binding: C++17 lambdas (the one below) cannot capture those.
    const auto before = ed(words_h);
    const int64_t pre_score = before.first;
    const Alignment al = trace_to_alignment(before.second, words_r.size());
    const std::vector<int> base = words_h;  // ed() below moves its cached rows around
    bool have_best = false;
    std::tuple<int64_t, int, int, int> best_key{};
    std::vector<int> best_words;
    const int n_h = static_cast<int>(words_h.size()), n_r = static_cast<int>(words_r.size());
    bool budget_spent = false;
    for (int start_h = 0; start_h < n_h && !budget_spent; ++start_h) {
        for (int start_r = 0; start_r < n_r && !budget_spent; ++start_r) {
            if (std::abs(start_r - start_h) > kMaxShiftDist) continue;
            // _find_shifted_pairs yields every matching length 1..10 at (start_h, start_r).
            for (int length = 1; length <= kMaxShiftSize; ++length) {
                if (words_h[start_h + length - 1] != words_r[start_r + length - 1]) break;
                [&] {
                    if (sum(al.hyp_err, start_h, length) == 0) return;
                    if (sum(al.ref_err, start_r, length) == 0) return;
                    const int a = al.align[static_cast<std::size_t>(start_r)];
                    if (start_h <= a && a < start_h + length) return;
                    int prev_idx = -1;
                    for (int offset = -1; offset < length; ++offset) {
                        int idx;
                        if (start_r + offset == -1) {
                            idx = 0;
                        } else if (start_r + offset < n_r) {
                            idx = al.align[static_cast<std::size_t>(start_r + offset)] + 1;
                        } else {
                            break;
                        }
                        if (idx == prev_idx) continue;
                        prev_idx = idx;
                        std::vector<int> shifted = perform_shift(base, start_h, length, idx);
                        const int64_t gain = pre_score - ed(shifted).first;
                        ++checked;
                        // Tercom's ranking; equal keys mean the same shifted sentence.
                        const std::tuple<int64_t, int, int, int> key{gain, length, -start_h, -idx};
                        if (!have_best || key > best_key) {
                            have_best = true;
                            best_key = key;
                            best_words = std::move(shifted);
                        }
                    }
                }();
                budget_spent = checked >= kMaxShiftCandidates;
                if (budget_spent || start_h + length == n_h || start_r + length == n_r) break;
            }
        }
    }
    if (!have_best) return {0, base};
    return {std::get<0>(best_key), std::move(best_words)};
}

}  // namespace

int64_t ter_num_edits(const std::vector<int>& hyp, const std::vector<int>& ref) {
    if (ref.empty()) return static_cast<int64_t>(hyp.size());
    BeamEditDistance ed(ref);
    int64_t shifts = 0;
    std::vector<int> input = hyp;
    int checked = 0;
    while (true) {
        ShiftResult r = best_shift(input, ref, ed, checked);
        if (checked >= kMaxShiftCandidates) break;
        if (r.delta <= 0) break;
        ++shifts;
        input = std::move(r.words);
    }
    return shifts + ed(input).first;
}

}  // namespace deepnet::eval
