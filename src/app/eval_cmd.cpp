// `deepnet eval`: corpus BLEU and chrF of hypotheses against references, sacreBLEU 2.x
// compatible (scores, signatures, -b, JSON).
#include <cstdio>
#include <iostream>
#include <sstream>

#include "src/app/app_common.h"
#include "src/app/commands.h"
#include "src/config/command_line.h"
#include "src/core/error.h"
#include "src/data/text_reader.h"
#include "src/eval/bleu.h"
#include "src/eval/chrf.h"

namespace deepnet {
namespace {

std::vector<std::string> read_stdin_lines() {
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(std::cin, line)) lines.push_back(line);
    return lines;
}

std::string json_string(const std::string& s) {
    std::string o = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\';
        o += c;
    }
    return o + "\"";
}

struct MetricResult {
    std::string name, signature, verbose;
    double score;
};

}  // namespace

int run_eval(const std::vector<std::string>& args) {
    const ResolvedOptions opts = parse_options("eval", args);
    if (!start_command("eval", opts, common_config_from(opts))) return 0;
    const auto& ref_files = opts.get<std::vector<std::string>>("references");
    DEEPNET_USER_CHECK(!ref_files.empty(), "deepnet eval needs at least one reference file: -r ref.txt");
    const std::string input = opts.get<std::string>("input");
    const std::vector<std::string> hyps = input.empty() ? read_stdin_lines() : read_lines(input);
    std::vector<std::vector<std::string>> refs;
    for (const auto& f : ref_files) {
        refs.push_back(read_lines(f));
        DEEPNET_USER_CHECK(refs.back().size() == hyps.size(),
                           "reference file " << f << " has " << refs.back().size() << " lines but the hypotheses ("
                                             << (input.empty() ? "standard input" : input) << ") have "
                                             << hyps.size());
    }
    const bool lower = opts.get<bool>("lowercase");
    std::vector<MetricResult> results;
    for (const std::string& m : opts.get<std::vector<std::string>>("metrics")) {
        if (m == "bleu") {
            eval::BleuOptions bo;
            bo.tokenizer = eval::parse_tokenizer(opts.get<std::string>("tokenize"));
            bo.lowercase = lower;
            const eval::BleuScore s = eval::corpus_bleu(hyps, refs, bo);
            const std::string text = eval::format_bleu(s);
            results.push_back({"BLEU", eval::bleu_signature(bo, s.nrefs), text.substr(text.find(" = ") + 3), s.score});
        } else {
            eval::ChrfOptions co;
            co.word_order = int(opts.get<int64_t>("chrf-word-order"));
            co.lowercase = lower;
            const eval::ChrfScore s = eval::corpus_chrf(hyps, refs, co);
            const std::string text = eval::format_chrf(s);
            results.push_back({text.substr(0, text.find(" = ")), eval::chrf_signature(co, int(refs.size())),
                               text.substr(text.find(" = ") + 3), s.score});
        }
    }
    const bool json = opts.get<std::string>("format") == "json";
    const bool only = opts.get<bool>("score-only");
    if (json) std::printf("[\n");
    for (size_t i = 0; i < results.size(); ++i) {
        const MetricResult& r = results[i];
        char score[32];
        std::snprintf(score, sizeof(score), "%.2f", r.score);
        if (json) {
            std::printf(" {\"name\": %s, \"score\": %s, \"signature\": %s, \"verbose_score\": %s}%s\n",
                        json_string(r.name).c_str(), score, json_string(r.signature).c_str(),
                        json_string(r.verbose).c_str(), i + 1 < results.size() ? "," : "");
        } else if (only) {
            std::printf("%s\n", score);
        } else {
            std::printf("%s|%s = %s\n", r.name.c_str(), r.signature.c_str(), r.verbose.c_str());
        }
    }
    if (json) std::printf("]\n");
    return 0;
}

}  // namespace deepnet
