// Group "Task" of `deepnet generate-task`: where to write the built-in task and how big.
#include "src/config/option_groups.h"

namespace deepnet {

OptionGroup generate_task_options() {
    return {"Task", {
        string_option("output", "builtin-task", "Directory to write train/valid/test .en/.xx files to")
            .alias('o').metavar("DIR"),
        int_option("train-size", 20000, "Training sentence pairs").at_least(1),
        int_option("valid-size", 500, "Validation sentence pairs").at_least(1),
        int_option("test-size", 500, "Test sentence pairs").at_least(1),
    }};
}

}  // namespace deepnet
