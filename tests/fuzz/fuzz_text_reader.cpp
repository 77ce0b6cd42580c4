// libFuzzer target: the corpus reader (TextReader), plain or gzip (chosen by the first two
// bytes), reading every line as training and translation read their input. A UserError
// (invalid UTF-8, corrupt gzip) is the expected answer; any other exception, crash or
// sanitizer report is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_input.h"
#include "src/core/error.h"
#include "src/data/text_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        deepnet::TextReader reader(deepnet::fuzz::input_file(data, size));
        std::string line;
        while (reader.next(line)) {
        }
    } catch (const deepnet::UserError&) {
    }
    return 0;
}
