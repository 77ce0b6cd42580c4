// `deepnet score -m model -t src.txt tgt.txt [--normalize]`: one line per sentence pair, the
// sum of natural-log probabilities of the target tokens and </s> given the source (Marian's
// scorer), by a teacher-forced forward without dropout or label smoothing; --normalize
// divides it by the target length (tokens + </s>). Pairs are read in chunks of
// mini-batch * maxi-batch lines and scored in length-sorted mini-batches, output in order.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "src/app/app_common.h"
#include "src/app/commands.h"
#include "src/config/command_line.h"
#include "src/config/translate_config.h"
#include "src/core/blas_setup.h"
#include "src/core/error.h"
#include "src/core/log.h"
#include "src/translate/decoding_device.h"
#include "src/translate/text_io.h"
#include "src/translate/translator.h"

namespace deepnet {
namespace {

// Reads up to `chunk` pairs; UserError when one file ends before the other.
bool read_pairs(LineSource& src, LineSource& tgt, size_t chunk, std::vector<std::string>& s,
                std::vector<std::string>& t) {
    s.clear();
    t.clear();
    std::string a, b;
    while (s.size() < chunk) {
        const bool has_a = src.next(a), has_b = tgt.next(b);
        DEEPNET_USER_CHECK(has_a == has_b, (has_a ? tgt.name() : src.name())
                                               << " has fewer lines (" << (has_a ? tgt : src).line_number()
                                               << ") than " << (has_a ? src.name() : tgt.name()));
        if (!has_a) break;
        s.push_back(a);
        t.push_back(b);
    }
    return !s.empty();
}

void score_chunk(const std::vector<std::string>& s, const std::vector<std::string>& t,
                 int64_t first, LineSource& src, LineSource& tgt, const InferenceModel& im,
                 Transformer<float>& model, const ScoreConfig& sc, std::ostream& out) {
    const SourceLimits limits{sc.max_length, sc.max_length_crop};
    std::vector<std::vector<int64_t>> sid, tid;
    std::vector<std::string> warnings;
    for (size_t i = 0; i < s.size(); ++i) {
        const std::string line = " line " + std::to_string(first + int64_t(i) + 1);
        sid.push_back(encode_line(s[i], im.vocab, im.tag, limits, src.name() + line, warnings));
        tid.push_back(encode_line(t[i], im.vocab, -1, limits, tgt.name() + line, warnings));
    }
    for (const auto& w : warnings) log::warn(w);
    const std::vector<double> scores = score_pairs(model, sid, tid, sc.mini_batch);
    for (size_t i = 0; i < s.size(); ++i) {
        const double v = sc.normalize ? scores[i] / double(tid[i].size() + 1) : scores[i];
        out << format_sentence_score(v) << '\n';
    }
}

}  // namespace

int run_score(const std::vector<std::string>& args) {
    const ResolvedOptions opts = parse_options("score", args);
    const CommonConfig common = common_config_from(opts);
    if (!start_command("score", opts, common)) return 0;
    const ScoreConfig sc = score_config_from(opts);
    DEEPNET_USER_CHECK(!sc.model.empty(), "no model given: use -m/--model FILE");
    DEEPNET_USER_CHECK(sc.train_sets.size() == 2,
                       "score needs -t/--train-sets SOURCE TARGET (two files); got "
                           << sc.train_sets.size());
    std::vector<std::string> warnings;
    InferenceModel im = load_inference_model(sc.model, sc.target_lang, warnings);
    for (const auto& w : warnings) log::warn(w);
    DecodingDevice device(*im.loaded.model, sc.devices, sc.gemm);
    if (!sc.devices.empty()) log::info("scoring on " + device.describe());
    LineSource src(sc.train_sets[0]), tgt(sc.train_sets[1]);
    std::ofstream file;
    std::ostream* out = &std::cout;
    if (!sc.output.empty() && sc.output != "stdout" && sc.output != "-") {
        file.open(sc.output, std::ios::binary);
        DEEPNET_USER_CHECK(file.good(), "cannot write output file '" << sc.output << "'");
        out = &file;
    }
    const size_t chunk = size_t(sc.mini_batch * sc.maxi_batch);
    std::vector<std::string> s, t;
    int64_t done = 0;
    while (read_pairs(src, tgt, chunk, s, t)) {
        score_chunk(s, t, done, src, tgt, im, device.model(), sc, *out);
        done += int64_t(s.size());
        out->flush();
        DEEPNET_USER_CHECK(out->good(), "writing the output failed");
    }
    log::info("scored " + std::to_string(done) + " sentence pairs");
    return 0;
}

}  // namespace deepnet
