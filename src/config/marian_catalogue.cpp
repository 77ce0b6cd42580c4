// Looking up the Marian catalogue, and printing it as docs/marian.md's tables.
#include "src/config/marian_catalogue.h"

#include <sstream>

#include "src/config/marian_rows.h"

namespace deepnet {
namespace {

const char* kind_word(MarianKind k) {
    switch (k) {
    case MarianKind::Same: return "same";
    case MarianKind::Mapped: return "mapped";
    case MarianKind::Ignored: return "ignored";
    case MarianKind::Refused: return "refused";
    }
    return "?";
}

// Table cells: no raw '<' (GitHub would drop <model> as a tag) and no '|'.
std::string cell(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else if (c == '|') out += "\\|";
        else out += c;
    }
    return out;
}

std::string details(const MarianOption& o) {
    std::string d = o.kind == MarianKind::Same ? (o.note == "same" ? "" : o.note.substr(6)) : o.note;
    const bool silent_default = (o.kind == MarianKind::Ignored || o.kind == MarianKind::Refused) &&
                                o.neutral != "*" && !o.neutral.empty() && o.arity != MarianArity::Flag;
    if (silent_default) d += " (Marian's default, `" + o.neutral + "`, passes silently)";
    return cell(d);
}

void table(std::ostringstream& os, const std::vector<MarianGroup>& groups) {
    for (const auto& g : groups) {
        os << "\n### " << g.title << "\n\n| Marian option | deepnet | Details |\n|---|---|---|\n";
        for (const auto& o : g.options) {
            os << "| `";
            if (o.short_name != 0) os << "-" << o.short_name << ", ";
            os << "--" << o.name << "` | " << kind_word(o.kind) << " | " << details(o) << " |\n";
        }
    }
}

}  // namespace

const std::vector<MarianGroup>& marian_catalogue(const std::string& command) {
    static const std::vector<MarianGroup> training = marian::marian_training_groups();
    static const std::vector<MarianGroup> decoder = marian::marian_decoder_groups();
    static const std::vector<MarianGroup> none;
    if (command == "train") return training;
    if (command == "translate") return decoder;
    return none;
}

const MarianOption* find_marian_option(const std::string& command, const std::string& name) {
    for (const auto& g : marian_catalogue(command))
        for (const auto& o : g.options)
            if (o.name == name) return &o;
    return nullptr;
}

const MarianOption* find_marian_short(const std::string& command, char short_name) {
    for (const auto& g : marian_catalogue(command))
        for (const auto& o : g.options)
            if (o.short_name != 0 && o.short_name == short_name) return &o;
    return nullptr;
}

std::vector<std::string> marian_only_names(const std::string& command) {
    std::vector<std::string> names;
    for (const auto& g : marian_catalogue(command))
        for (const auto& o : g.options)
            if (o.kind != MarianKind::Same) names.push_back(o.name);
    return names;
}

std::string marian_catalogue_markdown() {
    std::ostringstream os;
    os << "## marian -> deepnet train\n";
    table(os, marian_catalogue("train"));
    os << "\n## marian-decoder -> deepnet translate\n";
    table(os, marian_catalogue("translate"));
    return os.str();
}

}  // namespace deepnet
