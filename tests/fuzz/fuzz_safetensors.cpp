// libFuzzer target: the safetensors reader (load_safetensors), as `translate -m` and a
// resume run meet a file from a stranger, then every tensor widened to float32 (as_f32).
// A UserError is the expected answer to a bad file; any other exception, crash or
// sanitizer report is a finding.
#include <cstddef>
#include <cstdint>

#include "fuzz_input.h"
#include "src/core/error.h"
#include "src/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const deepnet::SafetensorsFile file = deepnet::load_safetensors(deepnet::fuzz::input_file(data, size));
        for (const auto& [name, record] : file.tensors) {
            try {
                (void)deepnet::as_f32(record);
            } catch (const deepnet::UserError&) {  // an integer dtype: not convertible
            }
        }
    } catch (const deepnet::UserError&) {
    }
    return 0;
}
