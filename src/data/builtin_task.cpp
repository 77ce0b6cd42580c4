// Built-in task generator (see builtin_task.h). The target language has three genders;
// articles and adjective endings agree with the noun; the verb goes to the end of its
// clause; adverbs follow the subject. Every choice is a pure function of (seed, index).
#include "src/data/builtin_task.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <vector>

#include "src/ops/random.h"
#include "src/core/atomic_file.h"
#include "src/core/error.h"

namespace deepnet {
namespace {

struct Noun { const char* en; const char* xx; int gender; };  // 0 m, 1 f, 2 n
struct Word { const char* en; const char* xx; };

const Noun kNouns[] = {
    {"dog", "Hund", 0}, {"cat", "Katze", 1}, {"house", "Haus", 2}, {"man", "Mann", 0},
    {"woman", "Frau", 1}, {"child", "Kind", 2}, {"tree", "Baum", 0}, {"flower", "Blume", 1},
    {"book", "Buch", 2}, {"car", "Wagen", 0}, {"street", "Strasse", 1}, {"boat", "Boot", 2},
    {"teacher", "Lehrer", 0}, {"girl", "Magd", 1}, {"horse", "Pferd", 2}, {"friend", "Freund", 0},
    {"city", "Stadt", 1}, {"window", "Fenster", 2}, {"bird", "Vogel", 0}, {"door", "Tuer", 1},
    {"apple", "Apfel", 0}, {"river", "Fluss", 0}, {"lamp", "Lampe", 1}, {"bed", "Bett", 2},
    {"king", "Koenig", 0}, {"song", "Lied", 2}, {"table", "Tisch", 0}, {"bottle", "Flasche", 1},
    {"ball", "Ball", 0}, {"letter", "Brief", 0}, {"picture", "Bild", 2}, {"school", "Schule", 1},
};
const Word kAdjectives[] = {
    {"big", "gross"}, {"small", "klein"}, {"red", "rot"}, {"old", "alt"}, {"young", "jung"},
    {"green", "gruen"}, {"happy", "froh"}, {"quiet", "still"}, {"fast", "schnell"},
    {"dark", "dunkel"}, {"new", "neu"}, {"tired", "muede"}, {"blue", "blau"}, {"kind", "nett"},
};
const Word kVerbs[] = {
    {"sees", "sieht"}, {"likes", "mag"}, {"finds", "findet"}, {"paints", "malt"},
    {"buys", "kauft"}, {"carries", "traegt"}, {"hears", "hoert"}, {"follows", "folgt"},
    {"visits", "besucht"}, {"builds", "baut"}, {"loses", "verliert"}, {"reads", "liest"},
};
const Word kAdverbs[] = {
    {"often", "oft"}, {"today", "heute"}, {"never", "nie"}, {"slowly", "langsam"},
    {"again", "wieder"}, {"always", "immer"},
};
// Article [definite?][gender]; adjective endings after each article kind.
const char* kArticle[2][3] = {{"ein", "eine", "ein"}, {"der", "die", "das"}};
const char* kEnding[2][3] = {{"er", "e", "es"}, {"e", "e", "e"}};

template <size_t N, class T>
const T& pick(const T (&arr)[N], uint64_t key, uint64_t& ctr) {
    return arr[size_t(ops::uniform01(key, ctr++) * float(N)) % N];
}

bool coin(uint64_t key, uint64_t& ctr, float p) { return ops::uniform01(key, ctr++) < p; }

// A noun phrase: "the big dog" -> "der grosse Hund".
void noun_phrase(uint64_t key, uint64_t& ctr, std::string& en, std::string& xx) {
    const bool definite = coin(key, ctr, 0.5f);
    const Noun& n = pick(kNouns, key, ctr);
    en += definite ? " the" : " a";
    xx += std::string(" ") + kArticle[definite][n.gender];
    if (coin(key, ctr, 0.5f)) {
        const Word& a = pick(kAdjectives, key, ctr);
        en += std::string(" ") + a.en;
        xx += std::string(" ") + a.xx + kEnding[definite][n.gender];
    }
    en += std::string(" ") + n.en;
    xx += std::string(" ") + n.xx;
}

// One clause: subject [adverb] verb object -> subject [adverb] object verb.
void clause(uint64_t key, uint64_t& ctr, std::string& en, std::string& xx) {
    std::string s_en, s_xx, o_en, o_xx;
    noun_phrase(key, ctr, s_en, s_xx);
    noun_phrase(key, ctr, o_en, o_xx);
    const Word& v = pick(kVerbs, key, ctr);
    en += s_en;
    xx += s_xx;
    if (coin(key, ctr, 0.3f)) {
        const Word& adv = pick(kAdverbs, key, ctr);
        en += std::string(" ") + adv.en;
        xx += std::string(" ") + adv.xx;
    }
    en += std::string(" ") + v.en + o_en;
    xx += o_xx + " " + v.xx;
}

// mkdir -p
void make_dir(const std::string& dir) {
    for (size_t i = 1; i <= dir.size(); ++i) {
        if (i < dir.size() && dir[i] != '/') continue;
        const std::string part = dir.substr(0, i);
        if (mkdir(part.c_str(), 0755) != 0 && errno != EEXIST)
            throw UserError("cannot create directory '" + part + "': " + std::strerror(errno));
    }
}

}  // namespace

std::pair<std::string, std::string> builtin_task_pair(uint64_t seed, uint64_t index) {
    const uint64_t key = ops::rng_key(seed, index, 0x7a5c);
    uint64_t ctr = 0;
    std::string en, xx;
    clause(key, ctr, en, xx);
    if (coin(key, ctr, 0.35f)) {
        en += " and";
        xx += " und";
        clause(key, ctr, en, xx);
    }
    en += " .";
    xx += " .";
    en[1] = char(std::toupper(en[1]));
    xx[1] = char(std::toupper(xx[1]));
    return {en.substr(1), xx.substr(1)};
}

void write_builtin_task(const std::string& dir, uint64_t seed, const BuiltinTaskSizes& sizes) {
    make_dir(dir);
    // Held-out sets first, so the training stream can skip every sentence they contain.
    std::set<std::string> held_out;
    uint64_t index = 0;
    auto write_split = [&](const std::string& name, int64_t count, bool train) {
        std::string en, xx;
        for (int64_t written = 0; written < count; ++index) {
            const auto [s, t] = builtin_task_pair(seed, index);
            if (train ? held_out.count(s) > 0 : !held_out.insert(s).second) continue;
            en += s + "\n";
            xx += t + "\n";
            ++written;
        }
        write_file_atomic(dir + "/" + name + ".en", en);
        write_file_atomic(dir + "/" + name + ".xx", xx);
    };
    write_split("test", sizes.test, false);
    write_split("valid", sizes.valid, false);
    write_split("train", sizes.train, true);
}

}  // namespace deepnet
