// `deepnet translate -m model [-i in] [-o out]`: raw text in, raw text out, one output line
// per input line in input order (n-best: beam-size lines per input). Input is read in
// chunks of mini-batch * maxi-batch lines, tokenised with the model's SentencePiece
// vocabulary, decoded in length-sorted mini-batches and written back in order, so stdin
// streams. An empty input line gives an empty output line without decoding.
#include <omp.h>

#include <algorithm>
#include <chrono>
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
#include "src/ops/top_k.h"
#include "src/translate/decoding_device.h"
#include "src/translate/text_io.h"
#include "src/translate/translator.h"

namespace deepnet {
namespace {

struct Output {
    std::ofstream file;
    std::ostream* out = &std::cout;
    explicit Output(const std::string& path) {
        if (path.empty() || path == "stdout" || path == "-") return;
        file.open(path, std::ios::binary);
        DEEPNET_USER_CHECK(file.good(), "cannot write output file '" << path << "'");
        out = &file;
    }
};

double now_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Totals {
    int64_t lines = 0, tokens = 0;
};

// Translates one chunk of lines; first_id is the 0-based number of its first line.
void translate_chunk(const std::vector<std::string>& lines, int64_t first_id,
                     const std::string& input_name, const InferenceModel& im, Transformer<float>& model,
                     const TranslateConfig& tc,
                     std::ostream& out, Totals& totals) {
    const SourceLimits limits{tc.max_length, tc.max_length_crop};
    std::vector<std::vector<int64_t>> sources;
    std::vector<int64_t> slot(lines.size(), -1);  // index into sources, -1 = empty line
    for (size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].empty()) continue;
        std::vector<std::string> warnings;
        const std::string what = input_name + " line " + std::to_string(first_id + int64_t(i) + 1);
        std::vector<int64_t> ids = encode_line(lines[i], im.vocab, im.tag, limits, what, warnings);
        for (const auto& w : warnings) log::warn(w);
        // A line of only spaces has no pieces: it is empty, not a source to invent words for.
        if (int64_t(ids.size()) == (im.tag >= 0 ? 1 : 0)) continue;
        slot[i] = int64_t(sources.size());
        sources.push_back(std::move(ids));
    }
    SearchOptions opt;
    opt.beam_size = tc.beam_size;
    opt.normalize = tc.normalize;
    opt.max_length_factor = tc.max_length_factor;
    opt.allow_unk = tc.allow_unk;
    opt.banned = im.tag_ids;
    const auto nbest = translate_ids_parallel(model, sources, opt, tc.mini_batch,
                                              omp_get_max_threads());
    for (size_t i = 0; i < lines.size(); ++i) {
        const int64_t id = first_id + int64_t(i);
        // An empty source has one translation, the empty one, listed beam-size times in an
        // n-best list so that every input has the same number of entries.
        if (slot[i] < 0 || nbest[size_t(slot[i])].empty()) {
            for (int64_t k = 0; k < (tc.n_best ? tc.beam_size : 1); ++k)
                out << (tc.n_best ? nbest_line(id, "", Hypothesis{}) : std::string()) << '\n';
            continue;
        }
        const auto& hyps = nbest[size_t(slot[i])];
        totals.tokens += int64_t(hyps.front().tokens.size());
        if (!tc.n_best) {
            out << im.vocab.decode(hyps.front().tokens) << '\n';
            continue;
        }
        for (const auto& h : hyps) out << nbest_line(id, im.vocab.decode(h.tokens), h) << '\n';
    }
    totals.lines += int64_t(lines.size());
}

}  // namespace

int run_translate(const std::vector<std::string>& args) {
    const ResolvedOptions opts = parse_options("translate", args);
    const CommonConfig common = common_config_from(opts);
    if (!start_command("translate", opts, common)) return 0;
    const TranslateConfig tc = translate_config_from(opts);
    DEEPNET_USER_CHECK(!tc.model.empty(), "no model given: use -m/--model FILE");
    std::vector<std::string> warnings;
    const InferenceModel im = load_inference_model(tc.model, tc.target_lang, warnings);
    for (const auto& w : warnings) log::warn(w);
    DecodingDevice device(*im.loaded.model, tc.devices, tc.gemm);
    if (!tc.devices.empty()) log::info("translating on " + device.describe());
    const int64_t widest = ops::top_k_limit(device.model().context().device);
    DEEPNET_USER_CHECK(tc.beam_size <= widest, "--beam-size " << tc.beam_size << ": beams up to " << widest
                                                             << " on a GPU; decode wider beams on the CPU");
    LineSource in(tc.input);
    Output output(tc.output);
    const size_t chunk = size_t(tc.mini_batch * tc.maxi_batch);
    const double t0 = now_seconds();
    Totals totals;
    std::vector<std::string> lines;
    for (std::string line;;) {
        lines.clear();
        // Whatever input is there, up to a maxi-batch; never wait for more once a line is in.
        // A bad line (invalid UTF-8) stops the run, but only after the lines before it are
        // translated and written: nothing already read is lost.
        std::exception_ptr bad_input;
        try {
            while (lines.size() < chunk && (lines.empty() || !in.would_block()) && in.next(line))
                lines.push_back(line);
        } catch (const UserError&) {
            bad_input = std::current_exception();
        }
        if (!lines.empty()) {
            translate_chunk(lines, totals.lines, in.name(), im, device.model(), tc, *output.out, totals);
            output.out->flush();
            DEEPNET_USER_CHECK(output.out->good(), "writing the output failed");
        }
        if (bad_input) std::rethrow_exception(bad_input);
        if (lines.empty()) break;
    }
    const double secs = std::max(1e-9, now_seconds() - t0);
    log::info("translated " + std::to_string(totals.lines) + " lines (" +
              std::to_string(totals.tokens) + " target tokens) in " + std::to_string(secs) +
              " s: " + std::to_string(double(totals.lines) / secs) + " sentences/s");
    return 0;
}

}  // namespace deepnet
