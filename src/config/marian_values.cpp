// Marian's value syntax for deepnet options of the same name (the adapters of
// marian_rows.h): each turns the words Marian accepts into the words deepnet's option
// reads, or throws ValueError saying why the value has no counterpart here.
#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "src/config/marian_rows.h"
#include "src/config/marian_words.h"
#include "src/config/option_value.h"

namespace deepnet::marian {
namespace {

std::string joined(const std::vector<std::string>& w) {
    std::string s;
    for (const auto& x : w) s += (s.empty() ? "" : " ") + x;
    return s;
}

int64_t whole_number(const std::string& s) {
    errno = 0;
    char* end = nullptr;
    const long long v = s.empty() ? 0 : std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || errno == ERANGE || v < 0)
        throw ValueError("expected a whole number, got '" + s + "'");
    return int64_t(v);
}

}  // namespace

Period parse_period(const std::string& text) {
    Period p;
    std::string s = text;
    if (!s.empty() && (s.back() == 'u' || s.back() == 't' || s.back() == 'e')) {
        p.unit = s.back();
        s.pop_back();
    }
    int64_t scale = 1;
    if (!s.empty() && (s.back() == 'K' || s.back() == 'k')) scale = 1000;
    else if (!s.empty() && s.back() == 'M') scale = 1000000;
    else if (!s.empty() && s.back() == 'G') scale = 1000000000;
    if (scale > 1) s.pop_back();
    int64_t v = 0;
    try {
        v = whole_number(s);
    } catch (const ValueError&) {
        throw ValueError("expected a count like 16000, 16000u or 16Ku, got '" + text + "'");
    }
    if (v > (int64_t(1) << 53) / scale) throw ValueError("'" + text + "' is too large");
    p.count = v * scale;
    return p;
}

std::vector<std::string> adapt_updates(const std::vector<std::string>& w) {
    if (w.size() != 1) throw ValueError("expected a number of updates, got " + std::to_string(w.size()) + " values");
    const Period p = parse_period(w[0]);
    if (p.unit != 'u')
        throw ValueError("'" + w[0] + "' counts " + (p.unit == 't' ? "target labels" : "epochs") +
                         ": deepnet counts this option in updates; give a number of updates, e.g. 16000 or 16000u");
    return {std::to_string(p.count)};
}

std::vector<std::string> adapt_lr_decay_inv_sqrt(const std::vector<std::string>& w) {
    if (w.empty() || w.size() > 2)
        throw ValueError("expected one or two numbers of updates (Marian: decay, then start), got " +
                         std::to_string(w.size()));
    const std::vector<std::string> decay = adapt_updates({w[0]});
    if (w.size() == 2 && adapt_updates({w[1]}) != decay)
        throw ValueError("a start (" + w[1] + ") other than the decay constant (" + w[0] +
                         ") is not supported: deepnet decays as sqrt(N / update) from update N; give one value");
    return decay;
}

std::vector<std::string> adapt_dim_vocabs(const std::vector<std::string>& w) {
    if (w.size() != 1 && w.size() != 2)
        throw ValueError("expected one size (or the same size twice, Marian's source and target), got " +
                         std::to_string(w.size()) + " values");
    for (const auto& x : w)
        if (x == "0")
            throw ValueError("0 (Marian: every item of the vocabulary file) is not supported: deepnet trains its "
                             "joint SentencePiece vocabulary and needs its size, e.g. 8000");
    if (w.size() == 2 && w[0] != w[1])
        throw ValueError("two different sizes, " + w[0] + " and " + w[1] +
                         ": deepnet trains one joint SentencePiece vocabulary for source and target, so give "
                         "one size (or the same size twice)");
    return {w[0]};
}

std::vector<std::string> adapt_exponential_smoothing(const std::vector<std::string>& w) {
    bool on = false;
    if (w.empty()) return {"0.0001"};  // Marian's implicit value
    if (w.size() == 1 && parse_bool_word(w[0], on) && w[0] != "0" && w[0] != "1")
        return {on ? "0.0001" : "0"};  // Marian versions where it was a flag
    return w;
}

std::vector<std::string> adapt_normalize(const std::vector<std::string>& w) {
    if (w.empty()) return {"1"};  // Marian's implicit value
    return w;
}

std::vector<std::string> adapt_valid_metrics(const std::vector<std::string>& w) {
    std::vector<std::string> out;
    for (const auto& m : w) {
        if (m == "ce-mean-words") out.push_back("cross-entropy");  // mean per target token, as ours
        else if (m == "bleu-detok") out.push_back("bleu");         // Marian: deprecated, = bleu
        else if (m == "bleu-segmented")
            throw ValueError("bleu-segmented (BLEU of the subword units) is not supported: deepnet's bleu "
                             "scores the detokenised translations, as Marian's bleu");
        else out.push_back(m);
    }
    return out;
}

std::vector<std::string> adapt_precision(const std::vector<std::string>& w) {
    if (w.size() != 3) return w;
    if (w[2] != "float32")
        throw ValueError("the third type (of the saved model) is " + w[2] +
                         ": deepnet saves float32 weights, so it must be float32");
    return {w[0], w[1]};
}

std::vector<std::string> adapt_ffn_activation(const std::vector<std::string>& w) {
    if (w.size() == 1 && w[0] == "swish")
        throw ValueError("'swish' is not one of relu, gelu: swish, Marian's default, is not implemented "
                         "(Marian's transformer recipes and --task transformer-base use relu)");
    return w;
}

std::vector<std::string> adapt_dump_config(const std::vector<std::string>& w) {
    if (w.size() == 1 && (w[0] == "full" || w[0] == "minimal" || w[0] == "expand")) return {"true"};
    return w;
}

std::vector<std::string> adapt_one_file(const std::vector<std::string>& w) {
    if (w.size() > 1)
        throw ValueError(std::to_string(w.size()) + " files (" + joined(w) +
                         "): deepnet translate reads one input; translate them one at a time");
    return w;
}

}  // namespace deepnet::marian
