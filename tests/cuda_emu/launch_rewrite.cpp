// Rewrites a .cu file for the emulated CUDA build (see emu.h): the only source change the
// host compiler needs.
//   kernel<T, 4><<<grid, block, smem, stream>>>(a, b)
//       -> ::deepnet_emu::launch(kernel<T, 4>, ::deepnet_emu::config(grid, block, smem, stream), a, b)
//   extern __shared__ float zs[];
//       -> float* zs = static_cast<float*>(::deepnet_emu::dynamic_shared());
// Line breaks are kept, and a #line directive names the original file, so compiler errors
// and sanitizer reports point at the .cu source.
//   launch_rewrite IN.cu OUT.cpp
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>

namespace {

[[noreturn]] void die(const std::string& file, const std::string& s, size_t pos, const std::string& why) {
    const size_t line = 1 + size_t(std::count(s.begin(), s.begin() + long(pos), '\n'));
    std::cerr << file << ":" << line << ": launch_rewrite: " << why << "\n";
    std::exit(1);
}

// Start of the callee before `<<<` at pos: an identifier with scopes, and template
// arguments matched backwards.
size_t callee_start(const std::string& s, size_t pos) {
    size_t i = pos;
    while (i > 0 && std::isspace(static_cast<unsigned char>(s[i - 1]))) --i;
    if (i > 0 && s[i - 1] == '>') {
        int depth = 0;
        do {
            --i;
            if (s[i] == '>') ++depth;
            if (s[i] == '<') --depth;
        } while (i > 0 && depth > 0);
    }
    while (i > 0 && (std::isalnum(static_cast<unsigned char>(s[i - 1])) || s[i - 1] == '_' || s[i - 1] == ':')) --i;
    return i;
}

// Index of the bracket closing the one opened just before `from` (depth counted over ( [ {).
size_t matching_close(const std::string& s, size_t from, const std::string& file) {
    int depth = 1;
    for (size_t i = from; i < s.size(); ++i) {
        if (s[i] == '(' || s[i] == '[' || s[i] == '{') ++depth;
        if (s[i] == ')' || s[i] == ']' || s[i] == '}') --depth;
        if (depth == 0) return i;
    }
    die(file, s, from, "unbalanced brackets");
}

std::string rewrite_launches(const std::string& s, const std::string& file) {
    std::string out;
    size_t done = 0;
    for (size_t at = s.find("<<<"); at != std::string::npos; at = s.find("<<<", done)) {
        const size_t start = callee_start(s, at);
        if (start < done || start == at) die(file, s, at, "cannot find the kernel before <<<");
        const size_t cfg_end = s.find(">>>", at + 3);
        if (cfg_end == std::string::npos) die(file, s, at, "<<< without >>>");
        size_t open = cfg_end + 3;
        while (open < s.size() && std::isspace(static_cast<unsigned char>(s[open]))) ++open;
        if (open >= s.size() || s[open] != '(') die(file, s, at, "a launch without its argument list");
        const size_t close = matching_close(s, open + 1, file);
        std::string callee = s.substr(start, at - start);
        while (!callee.empty() && std::isspace(static_cast<unsigned char>(callee.back()))) callee.pop_back();
        const std::string args = s.substr(open + 1, close - open - 1);
        bool empty_args = true;
        for (char c : args) empty_args = empty_args && std::isspace(static_cast<unsigned char>(c));
        const auto gap_lines = std::count(s.begin() + long(start + callee.size()), s.begin() + long(at), '\n');
        out += s.substr(done, start - done);
        out += "::deepnet_emu::launch(" + callee + ", ::deepnet_emu::config(" + s.substr(at + 3, cfg_end - at - 3) +
               ")" + s.substr(cfg_end + 3, open - cfg_end - 3) + (empty_args ? "" : ", " + args) + ")" +
               std::string(size_t(gap_lines), '\n');  // keeps the line numbers of the .cu
        done = close + 1;
    }
    return out + s.substr(done);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: launch_rewrite IN.cu OUT.cpp\n";
        return 2;
    }
    std::ifstream in(argv[1]);
    if (!in) {
        std::cerr << "launch_rewrite: cannot read " << argv[1] << "\n";
        return 1;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    static const std::regex dynamic_shared(
        R"(extern\s+__shared__\s+(?:__align__\(\s*\d+\s*\)\s+)?([A-Za-z_][\w:]*)\s+(\w+)\s*\[\s*\]\s*;)");
    s = std::regex_replace(s, dynamic_shared, "$1* $2 = static_cast<$1*>(::deepnet_emu::dynamic_shared());");
    s = rewrite_launches(s, argv[1]);
    std::ofstream out(argv[2]);
    out << "#line 1 \"" << argv[1] << "\"\n" << s;
    return out ? 0 : 1;
}
