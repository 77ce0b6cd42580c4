// deepnet: one binary, Marian style. `deepnet <subcommand> [options]`, or through the
// aliases deepnet-train / deepnet-translate, which dispatch on argv[0].
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "src/app/commands.h"
#include "src/config/marian_catalogue.h"
#include "src/config/suggest.h"
#include "src/core/blas_setup.h"
#include "src/core/error.h"
#include "src/core/exit_codes.h"

namespace {

std::string basename_of(const char* path) {
    const char* slash = std::strrchr(path, '/');
    return slash ? slash + 1 : path;
}

void print_usage() {
    std::printf("deepnet %s: deep Transformer NMT (DeepNet / DeepNorm)\n\n", DEEPNET_VERSION);
    std::printf("Usage: deepnet <subcommand> [options]     (deepnet <subcommand> --help)\n\n");
    for (const auto& s : deepnet::subcommands()) std::printf("  %-10s %s\n", s.name, s.summary);
    std::printf("\nAliases: deepnet-train = deepnet train, deepnet-translate = deepnet translate\n");
    std::printf("Marian's options: deepnet --marian-options prints what each one does here\n");
}

int dispatch(int argc, char** argv) {
    std::string command;
    int first_arg = 1;
    const std::string self = basename_of(argv[0]);
    if (self.rfind("deepnet-", 0) == 0) {
        command = self.substr(8);
    } else {
        if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
            print_usage();
            return argc < 2 ? 1 : 0;
        }
        if (!std::strcmp(argv[1], "--version")) {
            std::printf("deepnet %s\n", DEEPNET_VERSION);
            return 0;
        }
        if (!std::strcmp(argv[1], "--marian-options")) {  // docs/marian.md's tables
            std::fputs(deepnet::marian_catalogue_markdown().c_str(), stdout);
            return 0;
        }
        command = argv[1];
        first_arg = 2;
    }
    const std::vector<std::string> args(argv + first_arg, argv + argc);
    std::vector<std::string> names;
    for (const auto& s : deepnet::subcommands()) {
        if (command == s.name) return s.run(args);
        names.push_back(s.name);
    }
    std::string msg = "unknown subcommand '" + command + "'";
    const std::string near = deepnet::closest_match(command, names);
    if (!near.empty()) msg += "; did you mean '" + near + "'?";
    throw deepnet::UserError(msg + " (see deepnet --help)");
}

}  // namespace

int main(int argc, char** argv) {
    deepnet::ensure_fast_blas(argv);
    try {
        return dispatch(argc, argv);
    } catch (const deepnet::UserError& e) {
        std::fprintf(stderr, "deepnet: error: %s\n", e.what());
        return deepnet::kExitInputError;
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "deepnet: error: out of memory: use a smaller model, mini-batch or maxi-batch\n");
        return deepnet::kExitInputError;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "deepnet: internal error: %s\n", e.what());
        return deepnet::kExitInternalError;
    }
}
