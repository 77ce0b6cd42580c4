// Reading and writing the safetensors format (https://github.com/huggingface/safetensors):
//   [8 bytes: header length n, little-endian u64]
//   [n bytes: JSON {"__metadata__": {str: str}, "<name>": {"dtype", "shape", "data_offsets"}}
//             padded with spaces so that n is a multiple of 8]
//   [tensor data: raw little-endian, offsets relative to the end of the header]
// Writes are atomic (write_file_atomic) and follow the reference writer (Python's
// safetensors): tensors ordered by dtype width, widest first (I64, F64, F32, I32, BF16,
// F16), then by name, in both the header and the data, so every tensor starts aligned to
// its element size and the data has no holes, which the reference reader requires.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace deepnet {

struct TensorRecord {
    std::string name;
    std::string dtype;           // "F32", "F64", "BF16", "F16", "I64" or "I32"
    std::vector<int64_t> shape;  // {} is a scalar (one element)
    std::string bytes;           // row-major, little-endian, product(shape) * dtype size
};

struct SafetensorsFile {
    std::map<std::string, std::string> metadata;  // without the checksum entry
    std::map<std::string, TensorRecord> tensors;  // by name
    bool checksummed = false;  // the file carried a checksum, and it matched
};

// Metadata entry "deepnet_checksum" = "crc32c:<8 hex digits>": CRC-32C of every other
// metadata entry (key order: key NUL value NUL) and then of every tensor in data order
// (name NUL dtype NUL shape NUL, then its bytes). Other readers see an ordinary string.
constexpr const char* kChecksumKey = "deepnet_checksum";
enum class Checksum { None, Add };

// Atomically writes the tensors and metadata (omitted from the header when empty).
// Throws deepnet::Error on an invalid record (unknown dtype, byte count not matching the
// shape, duplicate or reserved name, invalid UTF-8) and UserError on an I/O failure.
// With Checksum::Add the metadata gains the checksum, and the written file is read back
// and verified before it replaces `path`, so a bad disk never replaces a good checkpoint.
void save_safetensors(const std::string& path, const std::vector<TensorRecord>& tensors,
                      const std::map<std::string, std::string>& metadata,
                      Checksum checksum = Checksum::None);

// Reads and validates a whole file; every problem is a UserError naming the file, a
// checksum that does not match the data among them.
SafetensorsFile load_safetensors(const std::string& path);

// Reads the file in chunks (never holding it whole) and checks its structure and
// checksum; UserError when it is damaged or has no checksum.
void verify_safetensors(const std::string& path);

// Bytes per element of a supported dtype, 0 for any other string.
int64_t safetensors_dtype_size(const std::string& dtype);

// An F32 record holding product(shape) floats copied from data.
TensorRecord make_f32_record(const std::string& name, const std::vector<int64_t>& shape,
                             const float* data);

// The values as float32: F32 as stored, BF16 and F16 widened exactly; other dtypes are a
// UserError naming the tensor.
std::vector<float> as_f32(const TensorRecord& record);

}  // namespace deepnet
