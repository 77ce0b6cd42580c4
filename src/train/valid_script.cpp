// The external validation script (see valid_script.h).
#include "src/train/valid_script.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "src/core/error.h"

namespace deepnet {
namespace {

// Single quotes for the shell: the file name is ours to pass intact, whatever it holds.
std::string shell_quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// What the script printed, shortened for an error message.
std::string excerpt(std::string out) {
    while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
    std::string s = out.substr(0, 200);
    for (char& c : s)
        if (c == '\n' || c == '\r') c = ' ';
    return "'" + s + (out.size() > 200 ? "...'" : "'");
}

// A fresh file in the temporary directory, created (so the name is ours) and closed.
std::string temporary_file() {
    std::string path = (std::filesystem::temp_directory_path() / "deepnet-valid-XXXXXX").string();
    const int fd = ::mkstemp(path.data());
    DEEPNET_USER_CHECK(fd >= 0, "cannot create a temporary file for the validation translations in "
                                    << std::filesystem::temp_directory_path() << ": " << std::strerror(errno));
    ::close(fd);
    return path;
}

}  // namespace

double run_valid_script(const ValidScript& script, const std::string& file) {
    std::string command = script.path;
    for (const std::string& a : script.args) command += " " + a;
    if (!file.empty()) command += " " + shell_quoted(file);
    std::fflush(nullptr);  // the child shares stdout/stderr: no buffered line printed twice
    FILE* pipe = ::popen(command.c_str(), "r");
    DEEPNET_USER_CHECK(pipe != nullptr, "valid-script-path: cannot run '" << command << "': " << std::strerror(errno));
    std::string out;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;)
        if (out.size() < (size_t(1) << 20)) out.append(buf, n);  // read to the end, keep the start
    const int status = ::pclose(pipe);
    DEEPNET_USER_CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
                       "valid-script-path: '" << command << "' failed ("
                           << (status != -1 && WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                                                 : std::string("did not exit normally"))
                           << ") after printing " << excerpt(out)
                           << "; fix the script and rerun to resume from the last checkpoint");
    const char* start = out.c_str();
    char* end = nullptr;
    const double score = std::strtod(start, &end);
    DEEPNET_USER_CHECK(end != start && std::isfinite(score),
                       "valid-script-path: '" << command << "' printed " << excerpt(out)
                           << ", which does not start with a number: the script must print its score "
                              "(e.g. the BLEU of sacrebleu -b) on stdout");
    return score;
}

double score_translations(const ValidScript& script, const std::vector<std::string>& translations,
                          const std::string& output) {
    const std::string path = output.empty() ? temporary_file() : output;
    {
        std::ofstream f(path);
        for (const std::string& t : translations) f << t << "\n";
        DEEPNET_USER_CHECK(f.good(), "cannot write the validation translations to " << path);
    }
    double score = 0;
    std::error_code ignored;  // a temporary file left behind is no reason to stop training
    try {
        score = run_valid_script(script, path);
    } catch (...) {
        if (output.empty()) std::filesystem::remove(path, ignored);
        throw;
    }
    if (output.empty()) std::filesystem::remove(path, ignored);
    return score;
}

}  // namespace deepnet
