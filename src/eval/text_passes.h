// The string rewrites sacreBLEU's tokenizers are built from, over code points: Python's
// str.replace, the re.sub forms "(A)(B)" and "(A)" with one-character classes, and
// ' '.join(s.split()). Shared by the BLEU tokenizers (tokenizers.cpp) and TER's
// (ter_tokenizer.cpp).
//
// Every regex those tokenizers apply has the form "(A)(B)" or "(A)", so re.sub's leftmost,
// non-overlapping scan is a single left-to-right pass: at position i, if s[i] in A and
// s[i+1] in B, emit the replacement and skip both, otherwise copy s[i].
#pragma once

#include <string>
#include <string_view>

#include "src/eval/unicode_text.h"

namespace deepnet::eval {

// Python str.replace(from, to): all non-overlapping occurrences, left to right.
inline std::u32string replace_all(std::u32string_view s, std::u32string_view from,
                                  std::u32string_view to) {
    std::u32string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (true) {
        const std::size_t hit = s.find(from, i);
        if (hit == std::u32string_view::npos) break;
        out.append(s.substr(i, hit - i));
        out.append(to);
        i = hit + from.size();
    }
    out.append(s.substr(i));
    return out;
}

// re.sub(r'(A)(B)', r'<pre>\1<mid>\2<post>', s) for one-character classes A and B.
template <class A, class B>
std::u32string sub_pair(std::u32string_view s, A in_a, B in_b, std::u32string_view pre,
                        std::u32string_view mid, std::u32string_view post) {
    std::u32string out;
    out.reserve(s.size() * 2);
    std::size_t i = 0;
    while (i < s.size()) {
        if (i + 1 < s.size() && in_a(s[i]) && in_b(s[i + 1])) {
            out.append(pre);
            out.push_back(s[i]);
            out.append(mid);
            out.push_back(s[i + 1]);
            out.append(post);
            i += 2;
        } else {
            out.push_back(s[i]);
            ++i;
        }
    }
    return out;
}

// re.sub(r'(A)', r' \1 ', s).
template <class A>
std::u32string pad_each(std::u32string_view s, A in_a) {
    std::u32string out;
    out.reserve(s.size() * 2);
    for (char32_t c : s) {
        if (in_a(c)) {
            out.push_back(U' ');
            out.push_back(c);
            out.push_back(U' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

// re.sub(r'[A]', '', s).
template <class A>
std::u32string remove_each(std::u32string_view s, A in_a) {
    std::u32string out;
    out.reserve(s.size());
    for (char32_t c : s)
        if (!in_a(c)) out.push_back(c);
    return out;
}

// ' '.join(s.split())
inline std::u32string join_split(std::u32string_view s) {
    std::u32string out;
    for (std::u32string_view tok : py_split(s)) {
        if (!out.empty()) out.push_back(U' ');
        out.append(tok);
    }
    return out;
}

inline bool is_ascii_digit(char32_t c) { return c >= U'0' && c <= U'9'; }

// [\{-\~\[-\` -\&\(-\+\:-\@\/]: the ASCII punctuation and symbols mteval-v13a (and
// tercom's normalizer) split off everywhere; apostrophe, comma, hyphen and period are
// handled by later passes.
inline bool is_13a_split_char(char32_t c) {
    return (c >= 0x7B && c <= 0x7E) || (c >= 0x5B && c <= 0x60) || (c >= 0x20 && c <= 0x26) ||
           (c >= 0x28 && c <= 0x2B) || (c >= 0x3A && c <= 0x40) || c == 0x2F;
}

}  // namespace deepnet::eval
