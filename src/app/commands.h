// The subcommands of the deepnet binary. Each takes the arguments after its name and
// returns the process exit code; errors are thrown and turned into messages by main().
#pragma once

#include <string>
#include <vector>

namespace deepnet {

struct Subcommand {
    const char* name;
    const char* summary;
    int (*run)(const std::vector<std::string>& args);
};

const std::vector<Subcommand>& subcommands();

int run_train(const std::vector<std::string>& args);
int run_generate_task(const std::vector<std::string>& args);
int run_eval(const std::vector<std::string>& args);
int run_translate(const std::vector<std::string>& args);
int run_score(const std::vector<std::string>& args);
int run_average(const std::vector<std::string>& args);

}  // namespace deepnet
