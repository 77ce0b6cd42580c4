// Decoding benchmark: sentences/s and target tokens/s at beam 1 and beam 4 (mini-batch 32),
// and the peak resident memory (getrusage) after each.
// Usage:
//   bench_translate [--threads N] MODEL.safetensors TEXT.txt   a trained model on real text
//       (raw lines; tokenise + decode + detokenise timed, e.g. the Multi30k test set)
//   bench_translate [--threads N]                               no model: the benchmark
//       shape (6+6 layers, d=256, 4 heads, FFN 1024, vocab 8000, deepnorm), randomly
//       initialised, on 128 synthetic sources of 15 tokens; a random model almost never
//       emits </s>, so every hypothesis runs the fixed 32 steps of its length limit.
// Threads default to 2.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_common.h"
#include "src/core/blas_setup.h"
#include "src/data/text_reader.h"
#include "src/translate/text_io.h"
#include "src/translate/translator.h"

using namespace deepnet;

namespace {

constexpr int64_t kMiniBatch = 32;

double peak_rss_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_maxrss) / 1024.0;  // Linux: KiB
}

struct Result {
    double seconds = 0;
    int64_t sentences = 0, tokens = 0;
};

void report(const char* what, int64_t beam, const Result& r) {
    std::printf("%-10s beam %-2lld  %6lld sentences  %7lld target tokens  %7.2f s  "
                "%8.1f sentences/s  %9.1f tokens/s  peak RSS %.0f MiB\n",
                what, (long long)beam, (long long)r.sentences, (long long)r.tokens, r.seconds,
                double(r.sentences) / r.seconds, double(r.tokens) / r.seconds, peak_rss_mib());
}

Result decode_ids(IncrementalDecoder<float>& dec, const std::vector<std::vector<int64_t>>& src,
                  const SearchOptions& opt) {
    Result r;
    const double t0 = bench::now_seconds();
    const auto out = translate_ids(dec, src, opt, kMiniBatch);
    r.seconds = bench::now_seconds() - t0;
    r.sentences = int64_t(src.size());
    for (const auto& n : out) r.tokens += int64_t(n.front().tokens.size()) + 1;  // with </s>
    return r;
}

int random_model_bench() {
    ModelConfig cfg = bench::benchmark_config();
    Transformer<float> model(cfg);
    model.init_parameters();
    std::vector<std::vector<int64_t>> src(128);
    for (size_t b = 0; b < src.size(); ++b)
        for (int64_t t = 0; t < 15; ++t)
            src[b].push_back(4 + int64_t(b * 31 + size_t(t) * 7) % (cfg.vocab_size - 4));
    std::printf("model: random, 6+6 layers, d=256, 4 heads, FFN 1024, vocab 8000, deepnorm; "
                "%.2fM parameters\n", double(model.spec().layout.count()) / 1e6);
    std::printf("input: 128 sources x 15 tokens (+</s>), max-length-factor 2 = 32 steps\n");
    IncrementalDecoder<float> dec(model);
    for (int64_t beam : {1, 4}) {
        SearchOptions opt;
        opt.beam_size = beam;
        opt.max_length_factor = 2;
        decode_ids(dec, {src[0]}, opt);  // warm-up
        report("random", beam, decode_ids(dec, src, opt));
    }
    return 0;
}

int model_file_bench(const std::string& model_path, const std::string& text_path) {
    std::vector<std::string> warnings;
    const InferenceModel im = load_inference_model(model_path, "", warnings);
    const std::vector<std::string> lines = read_lines(text_path);
    std::printf("model: %s (%.2fM parameters); text: %s (%zu lines)\n", model_path.c_str(),
                double(im.loaded.model->spec().layout.count()) / 1e6, text_path.c_str(),
                lines.size());
    IncrementalDecoder<float> dec(*im.loaded.model);
    for (int64_t beam : {1, 4}) {
        SearchOptions opt;
        opt.beam_size = beam;
        // Tokenisation and detokenisation are part of the user's wait: time the whole path.
        Result r;
        const double t0 = bench::now_seconds();
        std::vector<std::vector<int64_t>> src;
        for (const auto& l : lines) src.push_back(encode_line(l, im.vocab, im.tag, {}, "", warnings));
        const auto out = translate_ids(dec, src, opt, kMiniBatch);
        size_t chars = 0;
        for (const auto& n : out) {
            chars += im.vocab.decode(n.front().tokens).size();
            r.tokens += int64_t(n.front().tokens.size()) + 1;  // with </s>
        }
        r.seconds = bench::now_seconds() - t0;
        r.sentences = int64_t(src.size());
        if (chars == 0) std::printf("(every translation is empty)\n");
        report("file", beam, r);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    ensure_fast_blas(argv);
    int threads = 2;
    std::vector<std::string> files;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
        else files.push_back(argv[i]);
    }
    set_cpu_threads(threads);
    std::printf("BLAS core: %s; threads: %d; mini-batch %lld\n", blas_core_name().c_str(), threads,
                (long long)kMiniBatch);
    if (files.empty()) return random_model_bench();
    if (files.size() != 2) {
        std::fprintf(stderr, "usage: bench_translate [--threads N] [MODEL.safetensors TEXT.txt]\n");
        return 2;
    }
    return model_file_bench(files[0], files[1]);
}
