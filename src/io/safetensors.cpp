// safetensors writer and validating reader (format described in safetensors.h).
// The reader checks everything the reference reader checks (header bounds, JSON, dtypes,
// shape vs byte count, offsets contiguous and covering the data exactly) and reads each
// tensor straight into its record, so a multi-GB file is never held twice.
#include "src/io/safetensors.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "src/core/atomic_file.h"
#include "src/core/crc32c.h"
#include "src/core/error.h"
#include "src/io/safetensors_json.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "safetensors data is little-endian; this code copies it without byte swapping"
#endif

namespace deepnet {
namespace {

// The reference reader refuses larger headers; the cap also stops a corrupt length
// from triggering a huge allocation.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
constexpr const char* kMetadataKey = "__metadata__";

// Element count, false on a negative dimension or overflow of int64.
bool checked_numel(const std::vector<int64_t>& shape, int64_t& numel) {
    numel = 1;
    for (const int64_t d : shape) {
        if (d < 0) return false;
        if (d != 0 && numel > INT64_MAX / d) return false;
        numel *= d;
    }
    return true;
}

std::string shape_string(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
    return s + "]";
}

// ---------------------------------------------------------------- checksum

uint32_t crc_field(uint32_t c, const std::string& s) {
    c = crc32c_update(c, s);
    return crc32c_update(c, "", 1);  // the NUL that ends the field
}

uint32_t metadata_crc(const std::map<std::string, std::string>& metadata) {
    uint32_t c = 0;
    for (const auto& [key, value] : metadata)
        if (key != kChecksumKey) c = crc_field(crc_field(c, key), value);
    return c;
}

uint32_t tensor_head_crc(uint32_t c, const TensorRecord& t) {
    return crc_field(crc_field(crc_field(c, t.name), t.dtype), shape_string(t.shape));
}

std::string checksum_text(uint32_t c) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "crc32c:%08x", c);
    return buf;
}

// ---------------------------------------------------------------- writing

// Position in the reference implementation's Dtype enum, which is in increasing alignment
// order (F16 < BF16 < I32 < F32 < F64 < I64); its writer sorts by it.
int reference_dtype_rank(const std::string& dtype) {
    static const char* const kOrder[] = {"F16", "BF16", "I32", "F32", "F64", "I64"};
    for (int i = 0; i < 6; ++i)
        if (dtype == kOrder[i]) return i;
    return -1;
}

void check_record(const TensorRecord& t) {
    const int64_t size = safetensors_dtype_size(t.dtype);
    DEEPNET_CHECK(size > 0, "tensor '" << t.name << "': unsupported dtype '" << t.dtype << "'");
    DEEPNET_CHECK(t.name != kMetadataKey, "tensor name '" << kMetadataKey << "' is reserved");
    DEEPNET_CHECK(json::is_valid_utf8(t.name), "tensor name '" << t.name << "' is not valid UTF-8");
    int64_t numel = 0;
    DEEPNET_CHECK(checked_numel(t.shape, numel) && numel <= INT64_MAX / size,
                  "tensor '" << t.name << "': invalid shape " << shape_string(t.shape));
    DEEPNET_CHECK(static_cast<int64_t>(t.bytes.size()) == numel * size,
                  "tensor '" << t.name << "': " << t.dtype << " " << shape_string(t.shape)
                             << " needs " << numel * size << " bytes, got " << t.bytes.size());
}

// Compact JSON as serde_json writes it; tensors in data order, offsets assigned in turn.
std::string build_header(const std::vector<const TensorRecord*>& layout,
                         const std::map<std::string, std::string>& metadata) {
    std::string h = "{";
    if (!metadata.empty()) {
        json::append_string(h, kMetadataKey);
        h += ":{";
        for (auto it = metadata.begin(); it != metadata.end(); ++it) {
            if (it != metadata.begin()) h += ',';
            json::append_string(h, it->first);
            h += ':';
            json::append_string(h, it->second);
        }
        h += '}';
    }
    uint64_t offset = 0;
    for (const TensorRecord* t : layout) {
        if (h.size() > 1) h += ',';
        json::append_string(h, t->name);
        h += ":{\"dtype\":";
        json::append_string(h, t->dtype);
        h += ",\"shape\":" + shape_string(t->shape);
        const uint64_t end = offset + t->bytes.size();
        h += ",\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(end) + "]}";
        offset = end;
    }
    h += '}';
    // Same padding rule as the reference writer, so the data starts 8-byte aligned.
    h.append((8 - h.size() % 8) % 8, ' ');
    return h;
}

// ---------------------------------------------------------------- reading

class ReadFile {
public:
    ReadFile(const std::string& path, const std::string& where) : where_(where) {
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) throw UserError("cannot open " + where_ + ": " + std::strerror(errno));
        struct stat st;
        if (::fstat(fd_, &st) != 0) fail(errno);
        size_ = static_cast<uint64_t>(st.st_size);
    }
    ~ReadFile() { ::close(fd_); }
    ReadFile(const ReadFile&) = delete;
    ReadFile& operator=(const ReadFile&) = delete;

    uint64_t size() const { return size_; }

    void read(uint64_t offset, uint64_t count, char* out) const {
        while (count > 0) {
            const ssize_t n = ::pread(fd_, out, count, static_cast<off_t>(offset));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail(errno);
            if (n == 0) throw UserError(where_ + " is truncated (it shrank while being read)");
            out += n;
            offset += static_cast<uint64_t>(n);
            count -= static_cast<uint64_t>(n);
        }
    }

private:
    [[noreturn]] void fail(int err) const {
        throw UserError("cannot read " + where_ + ": " + std::strerror(err));
    }
    std::string where_;
    int fd_ = -1;
    uint64_t size_ = 0;
};

struct Entry {
    TensorRecord record;
    uint64_t begin = 0, end = 0;  // relative to the start of the data
};

const json::Value* member(const json::Value& obj, const char* key) {
    for (const json::Member& m : obj.members)
        if (m.key == key) return &m.value;
    return nullptr;
}

void parse_metadata(const std::string& where, const json::Value& v,
                    std::map<std::string, std::string>& out) {
    DEEPNET_USER_CHECK(v.kind == json::Value::Kind::Object,
                       where << ": \"" << kMetadataKey << "\" is " << json::kind_name(v.kind)
                             << ", expected an object of strings");
    for (const json::Member& m : v.members) {
        DEEPNET_USER_CHECK(m.value.kind == json::Value::Kind::String,
                           where << ": metadata \"" << m.key << "\" is "
                                 << json::kind_name(m.value.kind) << ", expected a string");
        out[m.key] = m.value.str;
    }
}

Entry parse_entry(const std::string& where, const json::Member& m) {
    const std::string tensor = where + ": tensor '" + m.key + "'";
    const json::Value& v = m.value;
    DEEPNET_USER_CHECK(v.kind == json::Value::Kind::Object,
                       tensor << " is " << json::kind_name(v.kind) << ", expected an object");
    for (const json::Member& field : v.members)
        DEEPNET_USER_CHECK(field.key == "dtype" || field.key == "shape" || field.key == "data_offsets",
                           tensor << " has unknown field \"" << field.key << "\"");
    const json::Value* dtype = member(v, "dtype");
    const json::Value* shape = member(v, "shape");
    const json::Value* offsets = member(v, "data_offsets");
    DEEPNET_USER_CHECK(dtype && shape && offsets,
                       tensor << " needs the fields \"dtype\", \"shape\" and \"data_offsets\"");
    DEEPNET_USER_CHECK(dtype->kind == json::Value::Kind::String, tensor << ": dtype is not a string");
    const int64_t elem = safetensors_dtype_size(dtype->str);
    DEEPNET_USER_CHECK(elem > 0, tensor << " has unsupported dtype '" << dtype->str
                                        << "' (supported: F32, F64, BF16, F16, I64, I32)");

    Entry e;
    e.record.name = m.key;
    e.record.dtype = dtype->str;
    DEEPNET_USER_CHECK(shape->kind == json::Value::Kind::Array, tensor << ": shape is not an array");
    for (const json::Value& d : shape->items) {
        DEEPNET_USER_CHECK(d.kind == json::Value::Kind::Integer && d.integer <= INT64_MAX,
                           tensor << ": shape holds something other than a dimension size");
        e.record.shape.push_back(static_cast<int64_t>(d.integer));
    }
    DEEPNET_USER_CHECK(offsets->kind == json::Value::Kind::Array && offsets->items.size() == 2 &&
                           offsets->items[0].kind == json::Value::Kind::Integer &&
                           offsets->items[1].kind == json::Value::Kind::Integer,
                       tensor << ": data_offsets must be two integers [begin, end]");
    e.begin = offsets->items[0].integer;
    e.end = offsets->items[1].integer;
    DEEPNET_USER_CHECK(e.begin <= e.end, tensor << ": data_offsets [" << e.begin << ", " << e.end
                                                << "] end before they begin");
    int64_t numel = 0;
    DEEPNET_USER_CHECK(checked_numel(e.record.shape, numel) && numel <= INT64_MAX / elem,
                       tensor << ": shape " << shape_string(e.record.shape) << " is too large");
    DEEPNET_USER_CHECK(static_cast<uint64_t>(numel * elem) == e.end - e.begin,
                       tensor << ": shape " << shape_string(e.record.shape) << " of " << e.record.dtype
                              << " needs " << numel * elem << " bytes but data_offsets [" << e.begin
                              << ", " << e.end << "] span " << e.end - e.begin);
    return e;
}

// The reference reader requires the tensors to tile the data exactly: no overlap (two
// tensors sharing bytes), no gap and nothing after the last tensor.
void check_layout(const std::string& where, std::vector<Entry>& entries, uint64_t data_size) {
    for (const Entry& e : entries)
        DEEPNET_USER_CHECK(e.end <= data_size,
                           where << ": tensor '" << e.record.name << "' data_offsets [" << e.begin
                                 << ", " << e.end << "] are out of range: the data section has "
                                 << data_size << " bytes (is the file truncated?)");
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    uint64_t covered = 0;
    for (size_t i = 0; i < entries.size(); ++i) {
        const Entry& e = entries[i];
        DEEPNET_USER_CHECK(e.begin >= covered,
                           where << ": tensors '" << entries[i - 1].record.name << "' and '"
                                 << e.record.name << "' overlap (data_offsets begin at " << e.begin
                                 << ", before the previous tensor ends at " << covered << ")");
        DEEPNET_USER_CHECK(e.begin == covered,
                           where << ": gap in the data before tensor '" << e.record.name
                                 << "' (bytes " << covered << " to " << e.begin << " belong to no tensor)");
        covered = e.end;
    }
    DEEPNET_USER_CHECK(covered == data_size, where << ": " << data_size - covered
                                                   << " trailing bytes after the last tensor");
}

float half_to_float(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
    const uint32_t exp = (h >> 10) & 0x1F;
    const uint32_t mant = h & 0x3FF;
    uint32_t bits;
    if (exp == 0) {
        // Zero or subnormal: mant * 2^-24 is exact in float32.
        const float magnitude = static_cast<float>(mant) * (1.0f / 16777216.0f);
        return sign ? -magnitude : magnitude;
    }
    if (exp == 31) bits = sign | 0x7F800000u | (mant << 13);  // inf / NaN, payload kept
    else bits = sign | ((exp + 112) << 23) | (mant << 13);   // rebias 15 -> 127
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

}  // namespace

int64_t safetensors_dtype_size(const std::string& dtype) {
    if (dtype == "F64" || dtype == "I64") return 8;
    if (dtype == "F32" || dtype == "I32") return 4;
    if (dtype == "BF16" || dtype == "F16") return 2;
    return 0;
}

void save_safetensors(const std::string& path, const std::vector<TensorRecord>& tensors,
                      const std::map<std::string, std::string>& metadata, Checksum checksum) {
    std::vector<const TensorRecord*> by_name;
    for (const TensorRecord& t : tensors) {
        check_record(t);
        by_name.push_back(&t);
    }
    for (const auto& [key, value] : metadata)
        DEEPNET_CHECK(json::is_valid_utf8(key) && json::is_valid_utf8(value),
                      "metadata '" << key << "' is not valid UTF-8");
    const auto name_less = [](const TensorRecord* a, const TensorRecord* b) { return a->name < b->name; };
    std::sort(by_name.begin(), by_name.end(), name_less);
    for (size_t i = 1; i < by_name.size(); ++i)
        DEEPNET_CHECK(by_name[i - 1]->name != by_name[i]->name,
                      "duplicate tensor name '" << by_name[i]->name << "'");

    // The reference writer's order (safetensors prepare()): dtype rank descending, then
    // name. Widest types come first, so every tensor starts aligned to its element size,
    // and the file is byte-identical to what Python's safetensors writes for the same input
    // (up to the order of metadata keys, which is a HashMap's order there).
    std::vector<const TensorRecord*> layout = by_name;
    std::stable_sort(layout.begin(), layout.end(), [](const TensorRecord* a, const TensorRecord* b) {
        return reference_dtype_rank(a->dtype) > reference_dtype_rank(b->dtype);
    });
    std::map<std::string, std::string> md = metadata;
    DEEPNET_CHECK(!md.count(kChecksumKey), "metadata key '" << kChecksumKey << "' is reserved");
    if (checksum == Checksum::Add) {
        uint32_t crc = metadata_crc(md);
        for (const TensorRecord* t : layout) crc = crc32c_update(tensor_head_crc(crc, *t), t->bytes);
        md[kChecksumKey] = checksum_text(crc);
    }
    const std::string header = build_header(layout, md);

    const auto produce = [&](const ChunkSink& sink) {
        char len[8];
        for (int i = 0; i < 8; ++i) len[i] = static_cast<char>((header.size() >> (8 * i)) & 0xFF);
        sink(len, 8);
        sink(header.data(), header.size());
        for (const TensorRecord* t : layout) sink(t->bytes.data(), t->bytes.size());
    };
    if (checksum == Checksum::Add) write_file_atomic(path, produce, verify_safetensors);
    else write_file_atomic(path, produce);
}

namespace {

// The header of an open file: metadata and entries in data order, data not yet read.
struct Structure {
    std::map<std::string, std::string> metadata;
    std::vector<Entry> entries;  // sorted by data offset
    uint64_t data_start = 0;
};

Structure read_structure(const ReadFile& file, const std::string& where) {
    const uint64_t size = file.size();
    DEEPNET_USER_CHECK(size >= 8, where << " is truncated: " << size
                                        << " bytes, too short to hold the 8-byte header length");
    unsigned char len[8];
    file.read(0, 8, reinterpret_cast<char*>(len));
    uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | len[i];
    DEEPNET_USER_CHECK(header_len <= size - 8,
                       where << ": header length " << header_len << " is larger than the "
                             << size - 8 << " bytes that follow it (truncated or not safetensors)");
    DEEPNET_USER_CHECK(header_len <= kMaxHeaderBytes,
                       where << ": header length " << header_len << " exceeds the limit of "
                             << kMaxHeaderBytes << " bytes");
    std::string header(header_len, '\0');
    file.read(8, header_len, header.data());

    json::Value root;
    try {
        root = json::parse(header);
    } catch (const json::ParseError& e) {
        throw UserError(where + ": malformed JSON header at header byte " + std::to_string(e.offset) +
                        " (file byte " + std::to_string(e.offset + 8) + "): " + e.what());
    }
    DEEPNET_USER_CHECK(root.kind == json::Value::Kind::Object,
                       where << ": header is " << json::kind_name(root.kind) << ", expected an object");
    Structure st;
    for (const json::Member& m : root.members) {
        if (m.key == kMetadataKey) parse_metadata(where, m.value, st.metadata);
        else st.entries.push_back(parse_entry(where, m));
    }
    st.data_start = 8 + header_len;
    check_layout(where, st.entries, size - st.data_start);
    return st;
}

// Compares the stored checksum (if any) with `crc`; true when one was stored.
bool check_checksum(const std::string& where, std::map<std::string, std::string>& metadata, uint32_t crc) {
    auto it = metadata.find(kChecksumKey);
    if (it == metadata.end()) return false;
    DEEPNET_USER_CHECK(it->second == checksum_text(crc),
                       where << " is damaged: its contents do not match the checksum stored in it ("
                             << it->second << ", contents give " << checksum_text(crc)
                             << "); the file was altered or corrupted after it was written");
    metadata.erase(it);
    return true;
}

}  // namespace

SafetensorsFile load_safetensors(const std::string& path) {
    const std::string where = "safetensors file '" + path + "'";
    ReadFile file(path, where);
    Structure st = read_structure(file, where);
    SafetensorsFile out;
    uint32_t crc = metadata_crc(st.metadata);
    for (Entry& e : st.entries) {
        e.record.bytes.resize(e.end - e.begin);
        file.read(st.data_start + e.begin, e.end - e.begin, e.record.bytes.data());
        crc = crc32c_update(tensor_head_crc(crc, e.record), e.record.bytes);
        std::string name = e.record.name;
        out.tensors.emplace(std::move(name), std::move(e.record));
    }
    out.checksummed = check_checksum(where, st.metadata, crc);
    out.metadata = std::move(st.metadata);
    return out;
}

void verify_safetensors(const std::string& path) {
    const std::string where = "safetensors file '" + path + "'";
    ReadFile file(path, where);
    Structure st = read_structure(file, where);
    uint32_t crc = metadata_crc(st.metadata);
    std::string chunk(size_t(1) << 20, '\0');
    for (const Entry& e : st.entries) {
        crc = tensor_head_crc(crc, e.record);
        for (uint64_t at = e.begin; at < e.end; at += chunk.size()) {
            const uint64_t n = std::min<uint64_t>(chunk.size(), e.end - at);
            file.read(st.data_start + at, n, chunk.data());
            crc = crc32c_update(crc, chunk.data(), n);
        }
    }
    DEEPNET_USER_CHECK(check_checksum(where, st.metadata, crc), where << " has no checksum");
}

TensorRecord make_f32_record(const std::string& name, const std::vector<int64_t>& shape,
                             const float* data) {
    int64_t numel = 0;
    DEEPNET_CHECK(checked_numel(shape, numel) && numel <= INT64_MAX / 4,
                  "tensor '" << name << "': invalid shape " << shape_string(shape));
    DEEPNET_CHECK(data != nullptr || numel == 0, "tensor '" << name << "': null data");
    TensorRecord r{name, "F32", shape, std::string(static_cast<size_t>(numel) * 4, '\0')};
    if (numel > 0) std::memcpy(r.bytes.data(), data, r.bytes.size());
    return r;
}

std::vector<float> as_f32(const TensorRecord& record) {
    const bool f32 = record.dtype == "F32";
    const bool half = record.dtype == "F16" || record.dtype == "BF16";
    DEEPNET_USER_CHECK(f32 || half, "tensor '" << record.name << "' has dtype " << record.dtype
                                               << "; expected F32, BF16 or F16");
    const size_t elem = f32 ? 4 : 2;
    DEEPNET_USER_CHECK(record.bytes.size() % elem == 0,
                       "tensor '" << record.name << "': " << record.bytes.size()
                                  << " bytes is not a whole number of " << record.dtype << " values");
    std::vector<float> out(record.bytes.size() / elem);
    if (f32) {
        if (!out.empty()) std::memcpy(out.data(), record.bytes.data(), record.bytes.size());
        return out;
    }
    const bool bf16 = record.dtype == "BF16";
    for (size_t i = 0; i < out.size(); ++i) {
        uint16_t h;
        std::memcpy(&h, record.bytes.data() + 2 * i, 2);
        if (bf16) {
            // bfloat16 is the top half of a float32.
            const uint32_t bits = static_cast<uint32_t>(h) << 16;
            std::memcpy(&out[i], &bits, 4);
        } else {
            out[i] = half_to_float(h);
        }
    }
    return out;
}

}  // namespace deepnet
