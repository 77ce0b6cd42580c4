// Loading and tokenising the corpora (see corpus.h). Files are read in blocks of line pairs
// so memory stays at the token arrays plus one block of text, and each block is encoded by
// several threads, each on a contiguous slice, so the result does not depend on the count.
#include "src/data/corpus.h"

#include <algorithm>
#include <thread>

#include "src/core/error.h"
#include "src/data/text_reader.h"

namespace deepnet {
namespace {

constexpr size_t kBlockLines = 1 << 16;

using Ids = std::vector<int64_t>;

void encode_block(const Vocab& vocab, const std::vector<std::string>& lines, std::vector<Ids>& out,
                  int64_t threads) {
    out.resize(lines.size());
    const size_t n = lines.size();
    const size_t workers = std::max<size_t>(1, std::min<size_t>(size_t(threads), n / 256));
    auto run = [&](size_t w) {
        for (size_t i = n * w / workers; i < n * (w + 1) / workers; ++i) out[i] = vocab.encode(lines[i]);
    };
    std::vector<std::thread> pool;
    for (size_t w = 1; w < workers; ++w) pool.emplace_back(run, w);
    run(0);
    for (auto& t : pool) t.join();
}

// Called when one file ended before the other: counts the rest of the longer one so the
// message can give both line counts.
[[noreturn]] void throw_line_mismatch(TextReader& longer, const TextReader& shorter) {
    std::string line;
    while (longer.next(line)) {
    }
    throw UserError(longer.path() + " has " + std::to_string(longer.line_number()) + " lines but " +
                    shorter.path() + " has " + std::to_string(shorter.line_number()) +
                    "; the two files of a corpus must have the same number of lines (line i of "
                    "one is the translation of line i of the other)");
}

// Reads up to kBlockLines line pairs; false when both files are exhausted.
bool read_block(TextReader& src, TextReader& tgt, std::vector<std::string>& a,
                std::vector<std::string>& b) {
    a.clear();
    b.clear();
    std::string x, y;
    while (a.size() < kBlockLines) {
        const bool got_x = src.next(x);
        const bool got_y = tgt.next(y);
        if (got_x && !got_y) throw_line_mismatch(src, tgt);
        if (!got_x && got_y) throw_line_mismatch(tgt, src);
        if (!got_x) break;
        a.push_back(std::move(x));
        b.push_back(std::move(y));
    }
    return !a.empty();
}

void append(TokenColumn& col, const Ids& ids) {
    for (int64_t id : ids) col.ids.push_back(static_cast<int32_t>(id));
    col.offsets.push_back(int64_t(col.ids.size()));
}

CorpusStats load_file_pair(const std::string& src_file, const std::string& tgt_file,
                           const Vocab& vocab, const LoadOptions& opt, int64_t threads,
                           TokenColumn& src, TokenColumn& tgt) {
    CorpusStats st;
    st.source_file = src_file;
    st.target_file = tgt_file;
    const char* why = "training reads its corpora more than once (vocabulary, data, validation)";
    require_regular_file(src_file, why);
    require_regular_file(tgt_file, why);
    TextReader rs(src_file), rt(tgt_file);
    std::vector<std::string> a, b;
    std::vector<Ids> ea, eb;
    while (read_block(rs, rt, a, b)) {
        encode_block(vocab, a, ea, threads);
        encode_block(vocab, b, eb, threads);
        for (size_t i = 0; i < a.size(); ++i) {
            ++st.lines;
            if (opt.skip_empty && (ea[i].empty() || eb[i].empty())) {
                ++st.empty_skipped;
            } else if (opt.max_length > 0 && (int64_t(ea[i].size()) > opt.max_length ||
                                              int64_t(eb[i].size()) > opt.max_length)) {
                ++st.too_long_skipped;
            } else {
                append(src, ea[i]);
                append(tgt, eb[i]);
                ++st.kept;
            }
        }
    }
    return st;
}

// Mixes one value per step (not per byte): a few ms for Multi30k, about a second per
// billion tokens.
struct Hasher {
    uint64_t h = 1469598103934665603ull;
    void add(uint64_t v) {
        h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
        h *= 1099511628211ull;
    }
};

}  // namespace

ParallelData::ParallelData(CorpusPlan plan, std::vector<TokenColumn> sources,
                           std::vector<TokenColumn> targets, std::vector<CorpusStats> stats,
                           std::vector<int32_t> tag_ids)
    : plan_(std::move(plan)), sources_(std::move(sources)), targets_(std::move(targets)),
      stats_(std::move(stats)), tag_ids_(std::move(tag_ids)) {
    DEEPNET_CHECK(sources_.size() == plan_.file_pairs.size() && targets_.size() == sources_.size() &&
                      tag_ids_.size() == plan_.corpora.size(),
                  "ParallelData parts disagree with the plan");
    Hasher h;
    begin_.push_back(0);
    for (size_t c = 0; c < plan_.corpora.size(); ++c) {
        const auto& spec = plan_.corpora[c];
        begin_.push_back(begin_.back() + sources_[spec.file_pair].size());
        h.add(uint64_t(spec.file_pair));
        h.add(spec.reversed);
        h.add(uint64_t(int64_t(tag_ids_[c])));
    }
    for (size_t p = 0; p < sources_.size(); ++p)
        for (const TokenColumn* col : {&sources_[p], &targets_[p]}) {
            for (int64_t o : col->offsets) h.add(uint64_t(o));
            for (int32_t id : col->ids) h.add(uint64_t(id));
        }
    fingerprint_ = h.h;
}

int64_t ParallelData::corpus_of(int64_t pair) const {
    DEEPNET_CHECK(pair >= 0 && pair < total_pairs(), "pair id " << pair << " out of range");
    return int64_t(std::upper_bound(begin_.begin(), begin_.end(), pair) - begin_.begin()) - 1;
}

ParallelData::Side ParallelData::source_side(int64_t pair) const {
    const int64_t c = corpus_of(pair);
    const auto& spec = plan_.corpora[c];
    const auto& col = spec.reversed ? targets_[spec.file_pair] : sources_[spec.file_pair];
    return {&col, pair - begin_[c]};
}

ParallelData::Side ParallelData::target_side(int64_t pair) const {
    const int64_t c = corpus_of(pair);
    const auto& spec = plan_.corpora[c];
    const auto& col = spec.reversed ? sources_[spec.file_pair] : targets_[spec.file_pair];
    return {&col, pair - begin_[c]};
}

int64_t ParallelData::source_length(int64_t pair) const {
    const Side s = source_side(pair);
    return s.column->length(s.line) + (tag_ids_[corpus_of(pair)] >= 0 ? 1 : 0);
}

int64_t ParallelData::target_length(int64_t pair) const {
    const Side s = target_side(pair);
    return s.column->length(s.line);
}

std::vector<int64_t> ParallelData::source(int64_t pair) const {
    const Side s = source_side(pair);
    std::vector<int64_t> out;
    out.reserve(size_t(s.column->length(s.line) + 1));
    if (const int32_t tag = tag_ids_[corpus_of(pair)]; tag >= 0) out.push_back(tag);
    out.insert(out.end(), s.column->ids.begin() + s.column->offsets[s.line],
               s.column->ids.begin() + s.column->offsets[s.line + 1]);
    return out;
}

std::vector<int64_t> ParallelData::target(int64_t pair) const {
    const Side s = target_side(pair);
    return std::vector<int64_t>(s.column->ids.begin() + s.column->offsets[s.line],
                                s.column->ids.begin() + s.column->offsets[s.line + 1]);
}

ParallelData load_corpora(const CorpusPlan& plan, const Vocab& vocab, const LoadOptions& options) {
    std::vector<int32_t> tag_ids;
    for (const auto& c : plan.corpora) {
        int64_t id = -1;
        if (plan.use_tags) {
            const std::string tag = language_tag(c.target_lang);
            id = vocab.id_of(tag);
            DEEPNET_USER_CHECK(id >= 0, "vocabulary " << vocab.origin() << " has no piece " << tag
                               << " for " << c.describe() << "; delete the vocabulary so that "
                               "DeepNet trains a new one with every language tag");
        }
        tag_ids.push_back(static_cast<int32_t>(id));
    }
    const int64_t threads = options.threads > 0
                                ? options.threads
                                : std::max<int64_t>(1, std::thread::hardware_concurrency());
    std::vector<TokenColumn> sources(plan.file_pairs.size()), targets(plan.file_pairs.size());
    std::vector<CorpusStats> stats;
    int64_t kept = 0;
    for (size_t p = 0; p < plan.file_pairs.size(); ++p) {
        const auto& [src, tgt] = plan.file_pairs[p];
        stats.push_back(load_file_pair(src, tgt, vocab, options, threads, sources[p], targets[p]));
        kept += stats.back().kept;
    }
    DEEPNET_USER_CHECK(kept > 0, "no usable sentence pair in " << plan.distinct_files().size()
                       << " files (all empty or longer than max-length " << options.max_length << ")");
    return ParallelData(plan, std::move(sources), std::move(targets), std::move(stats),
                        std::move(tag_ids));
}

}  // namespace deepnet
