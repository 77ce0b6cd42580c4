// Group "General": options every subcommand has. One row per option.
#include "src/config/option_groups.h"

namespace deepnet {

OptionGroup general_options() {
    return {"General", {
        string_list_option("config", {}, "YAML config files, applied in order: later files override "
                           "earlier ones and the command line overrides them all")
            .alias('c').command_line_only().metavar("FILE"),
        bool_option("dump-config", false, "Print the fully resolved options as YAML and exit")
            .command_line_only(),
        bool_option("help", false, "Print this help and exit").alias('h').command_line_only(),
        int_option("seed", 1111, "Seed of every random stream (init, data order, dropout)").at_least(0),
        int_option("cpu-threads", 0, "CPU threads to use; 0 = all cores").at_least(0),
        bool_option("quiet", false, "Suppress informational log lines on stderr"),
        string_option("log", "", "Also write the log to this file; empty = stderr only").metavar("FILE"),
    }};
}

}  // namespace deepnet
