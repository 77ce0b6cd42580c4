// Tests for the safetensors reader/writer: round trip of every supported dtype and of
// awkward metadata, byte-exact agreement with files written out by hand from the spec and
// with the reference implementation's own serialization examples (so Python's safetensors
// reads ours and we read its), and one UserError naming the file per kind of corruption.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "src/core/atomic_file.h"
#include "src/core/error.h"
#include "src/io/safetensors.h"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using deepnet::TensorRecord;

namespace {

struct SafetensorsTempDir {
    fs::path path;
    SafetensorsTempDir() {
        char tmpl[] = "/tmp/deepnet_safetensors_XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~SafetensorsTempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string file(const std::string& name) const { return (path / name).string(); }
};

std::string le_u64(uint64_t v) {
    std::string s(8, '\0');
    for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
    return s;
}

// A file exactly as the spec lays it out, with whatever header we are given.
std::string raw_file(const std::string& header, const std::string& data) {
    return le_u64(header.size()) + header + data;
}

void write_raw(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out.good());
}

template <class T>
std::string bytes_of(const std::vector<T>& v) {
    std::string s(v.size() * sizeof(T), '\0');
    if (!v.empty()) std::memcpy(s.data(), v.data(), s.size());
    return s;
}

std::string load_error(const std::string& path) {
    try {
        deepnet::load_safetensors(path);
    } catch (const deepnet::UserError& e) {
        return e.what();
    }
    FAIL("load_safetensors accepted a corrupt file: " << path);
    return "";
}

// Two tensors tiling 12 data bytes; the corruption cases are small edits of this.
const std::string kGoodHeader =
    R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
    R"("b":{"dtype":"I32","shape":[1],"data_offsets":[8,12]}})";
const std::string kGoodData = bytes_of(std::vector<float>{1.5f, -2.5f}) + bytes_of(std::vector<int32_t>{42});

}  // namespace

TEST_CASE("safetensors round trip keeps every dtype, shape, byte and metadata string", "[checkpoint]") {
    SafetensorsTempDir dir;
    const std::string path = dir.file("model.safetensors");
    std::mt19937 rng(1234);
    std::uniform_real_distribution<float> mag(0.1f, 2.0f);
    const auto nonzero_floats = [&](size_t n) {
        std::vector<float> v(n);
        for (float& x : v) x = (rng() & 1 ? 1.0f : -1.0f) * mag(rng);
        return v;
    };
    const auto nonzero_u16 = [&](size_t n) {
        std::vector<uint16_t> v(n);
        for (uint16_t& x : v) x = static_cast<uint16_t>(1 + rng() % 0xFFFF);
        return v;
    };
    std::vector<double> f64{0.1, -3.25e-300, 7.0e300, -1.0};
    std::vector<int64_t> i64{INT64_MIN, -1, 3, INT64_MAX};
    std::vector<int32_t> i32{-123456789};

    const std::vector<float> weight = nonzero_floats(15);
    std::vector<TensorRecord> tensors{
        deepnet::make_f32_record("decoder.layers.0.fc1.weight", {3, 5}, weight.data()),
        {"encoder.embed", "F64", {4}, bytes_of(f64)},
        {"bf", "BF16", {2, 3}, bytes_of(nonzero_u16(6))},
        {"half", "F16", {5}, bytes_of(nonzero_u16(5))},  // odd count: misaligns what follows
        {"steps", "I64", {2, 2}, bytes_of(i64)},
        {"scalar", "I32", {}, bytes_of(i32)},
        {"empty", "F32", {0, 3}, ""},
    };
    const std::map<std::string, std::string> metadata{
        {"config",
         "model:\n"
         "  name: \"deep \\\"net\\\"\"\n"
         "  path: 'C:\\models\\new\\x.yml'\n"
         "  greeting: Grüße, 日本語, 🚀\n"
         "\ttab and a control char \x01 and DEL \x7f\n"},
        {"format", "pt"},
        {"ключ", ""},
    };

    deepnet::save_safetensors(path, tensors, metadata);
    const deepnet::SafetensorsFile loaded = deepnet::load_safetensors(path);

    CHECK(loaded.metadata == metadata);
    REQUIRE(loaded.tensors.size() == tensors.size());
    for (const TensorRecord& want : tensors) {
        INFO("tensor " << want.name);
        const auto it = loaded.tensors.find(want.name);
        REQUIRE(it != loaded.tensors.end());
        CHECK(it->second.name == want.name);
        CHECK(it->second.dtype == want.dtype);
        CHECK(it->second.shape == want.shape);
        CHECK(it->second.bytes == want.bytes);
    }
    CHECK(deepnet::as_f32(loaded.tensors.at("decoder.layers.0.fc1.weight")) == weight);
    CHECK(loaded.tensors.at("scalar").shape.empty());
}

TEST_CASE("save_safetensors writes the bytes the spec prescribes", "[checkpoint]") {
    SafetensorsTempDir dir;
    const std::string path = dir.file("exact.safetensors");
    // Names sorted a < b < w < z, but the reference writer orders by dtype first
    // (I64, F64, F32, F16), so the layout is z, w, b, a.
    const std::vector<TensorRecord> tensors{
        {"a", "F16", {3}, std::string("\x00\x3c\x00\xc0\x00\x38", 6)},  // 1, -2, 0.5
        deepnet::make_f32_record("b", {2}, std::vector<float>{1.0f, -2.0f}.data()),
        {"w", "F64", {1}, std::string("\x00\x00\x00\x00\x00\x00\xd0\x3f", 8)},  // 0.25
        {"z", "I64", {}, std::string("\x07\x00\x00\x00\x00\x00\x00\x00", 8)},   // 7
    };
    const std::map<std::string, std::string> metadata{{"format", "pt"},
                                                      {"note", "say \"hi\"\\\n\tcafé\x01\x1f"}};
    deepnet::save_safetensors(path, tensors, metadata);

    // 291 bytes of JSON + 5 spaces = 296 = 0x128.
    const std::string expected =
        std::string("\x28\x01\x00\x00\x00\x00\x00\x00", 8) +
        R"({"__metadata__":{"format":"pt","note":"say \"hi\"\\\n\tcafé\u0001\u001f"},)"
        R"("z":{"dtype":"I64","shape":[],"data_offsets":[0,8]},)"
        R"("w":{"dtype":"F64","shape":[1],"data_offsets":[8,16]},)"
        R"("b":{"dtype":"F32","shape":[2],"data_offsets":[16,24]},)"
        R"("a":{"dtype":"F16","shape":[3],"data_offsets":[24,30]}}     )" +
        std::string("\x07\x00\x00\x00\x00\x00\x00\x00", 8) +
        std::string("\x00\x00\x00\x00\x00\x00\xd0\x3f", 8) +
        std::string("\x00\x00\x80\x3f\x00\x00\x00\xc0", 8) +
        std::string("\x00\x3c\x00\xc0\x00\x38", 6);
    CHECK(deepnet::read_file(path) == expected);

    // And the hand-written bytes read back as the values they encode.
    const std::string by_hand = dir.file("by_hand.safetensors");
    write_raw(by_hand, expected);
    const deepnet::SafetensorsFile f = deepnet::load_safetensors(by_hand);
    CHECK(f.metadata == metadata);
    CHECK(deepnet::as_f32(f.tensors.at("a")) == std::vector<float>{1.0f, -2.0f, 0.5f});
    CHECK(deepnet::as_f32(f.tensors.at("b")) == std::vector<float>{1.0f, -2.0f});
    CHECK(f.tensors.at("z").shape.empty());
    CHECK(f.tensors.at("z").bytes == tensors[3].bytes);
}

TEST_CASE("save_safetensors matches the reference implementation's serialization examples",
          "[checkpoint]") {
    // Inputs and outputs of the serialization unit tests in huggingface/safetensors
    // (safetensors/src/tensor.rs): test_empty, test_serialization and
    // test_serialization_forced_alignement.
    SafetensorsTempDir dir;
    const std::string data = bytes_of(std::vector<float>{0, 1, 2, 3, 4, 5});
    struct Case {
        std::string name;
        std::vector<TensorRecord> tensors;
        std::map<std::string, std::string> metadata;
        std::string expected;
    };
    const std::vector<Case> cases{
        {"empty", {}, {}, raw_file("{}      ", "")},
        {"empty with metadata", {}, {{"framework", "pt"}},
         raw_file(R"({"__metadata__":{"framework":"pt"}})" "     ", "")},
        {"attn.0", {{"attn.0", "F32", {1, 2, 3}, data}}, {},
         raw_file(R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})", data)},
        {"attn0", {{"attn0", "F32", {1, 1, 2, 3}, data}}, {},
         raw_file(R"({"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}})" "       ",
                  data)},
    };
    for (const Case& c : cases) {
        INFO("case " << c.name);
        const std::string path = dir.file("ref.safetensors");
        deepnet::save_safetensors(path, c.tensors, c.metadata);
        CHECK(deepnet::read_file(path) == c.expected);
        const deepnet::SafetensorsFile f = deepnet::load_safetensors(path);
        CHECK(f.metadata == c.metadata);
        CHECK(f.tensors.size() == c.tensors.size());
    }
    CHECK(cases[2].expected.size() == 8 + 64 + 24);  // the reference's 96-byte vector
}

TEST_CASE("load_safetensors reads any key order, whitespace, escapes and no padding", "[checkpoint]") {
    SafetensorsTempDir dir;
    const std::string path = dir.file("foreign.safetensors");
    // Entries out of offset order, fields in another order, JSON whitespace, \u escapes
    // (including a surrogate pair) and a header length that is not a multiple of 8.
    const std::string header =
        "{ \"second\" : {\"data_offsets\":[8, 12], \"shape\":[ ], \"dtype\":\"I32\"},\n"
        "  \"__metadata__\": {\"k\\u00e9y\": \"\\ud83d\\ude80 \\/ \\\"q\\\" \\\\ \\b\\f\\n\\r\\t\\u0041\"},\n"
        "  \"first\": {\"dtype\": \"BF16\", \"shape\": [2, 2], \"data_offsets\": [0, 8]}\n}";
    REQUIRE(header.size() % 8 != 0);
    const std::string data = std::string("\x80\x3f\x49\xc0\x00\x00\x80\x7f", 8) +  // BF16 1, -3.140625, 0, inf
                             bytes_of(std::vector<int32_t>{-7});
    write_raw(path, raw_file(header, data));

    const deepnet::SafetensorsFile f = deepnet::load_safetensors(path);
    CHECK(f.metadata == std::map<std::string, std::string>{{"k\xc3\xa9y", "\xf0\x9f\x9a\x80 / \"q\" \\ \b\f\n\r\tA"}});
    REQUIRE(f.tensors.size() == 2);
    CHECK(f.tensors.at("first").shape == std::vector<int64_t>{2, 2});
    CHECK(deepnet::as_f32(f.tensors.at("first")) ==
          std::vector<float>{1.0f, -3.140625f, 0.0f, std::numeric_limits<float>::infinity()});
    CHECK(f.tensors.at("second").dtype == "I32");
    CHECK(f.tensors.at("second").bytes == bytes_of(std::vector<int32_t>{-7}));
}

TEST_CASE("every kind of corrupt safetensors file is a UserError naming the file", "[checkpoint]") {
    SafetensorsTempDir dir;
    {
        // The base file is valid, so each failure below comes from its one edit.
        const std::string path = dir.file("good.safetensors");
        write_raw(path, raw_file(kGoodHeader, kGoodData));
        CHECK(deepnet::load_safetensors(path).tensors.size() == 2);
    }
    const std::string good = raw_file(kGoodHeader, kGoodData);
    const std::string T = R"("dtype":"F32","shape":[2],"data_offsets":[0,8])";
    struct Case {
        std::string name, bytes, phrase;
    };
    const std::vector<Case> cases{
        {"shorter than the length field", std::string("\x05\x00\x00", 3), "truncated"},
        {"data cut off", good.substr(0, good.size() - 2), "is the file truncated?"},
        {"header length larger than the file", le_u64(1000) + kGoodHeader + kGoodData,
         "header length 1000 is larger than"},
        {"absurd header length", le_u64(uint64_t{1} << 63) + kGoodHeader, "header length"},
        {"JSON: missing colon", raw_file("{\"a\" {" + T + "}}", ""), "header byte 5 (file byte 13): expected ':'"},
        {"JSON: trailing comma", raw_file("{\"a\":{" + T + "},}", ""), "header byte 54"},
        {"JSON: invalid escape", raw_file(R"({"a":{"dtype":"F\q32"}})", ""), "header byte 16"},
        {"JSON: lone surrogate", raw_file(R"({"__metadata__":{"k":"\ud800x"}})", ""), "header byte 22"},
        {"JSON: negative number", raw_file(R"({"a":{"shape":[-2]}})", ""), "header byte 15"},
        {"JSON: fraction", raw_file(R"({"a":{"shape":[2.5]}})", ""), "header byte 16"},
        {"JSON: leading zero", raw_file(R"({"a":{"shape":[02]}})", ""), "header byte 15"},
        {"JSON: trailing garbage", raw_file("{\"a\":{" + T + "}} x", "12345678"), "header byte 55"},
        {"JSON: unterminated", raw_file(R"({"a":{"dtype":"F32)", ""), "header byte 18"},
        {"JSON: raw newline in string", raw_file("{\"a\":{\"dtype\":\"F\n32\"}}", ""), "header byte 16"},
        {"JSON: invalid UTF-8", raw_file("{\"\xff\":1}", ""), "header byte 2"},
        {"JSON: literal true", raw_file(R"({"a":true})", ""), "header byte 5"},
        {"JSON: nested too deeply", raw_file("{\"a\":" + std::string(40, '['), ""), "header byte 21"},
        {"header not an object", raw_file("[1]", ""), "expected an object"},
        {"duplicate names", raw_file("{\"a\":{" + T + "},\"a\":{" + T + "}}", std::string(8, 'x')),
         "header byte 54 (file byte 62): duplicate key \"a\""},
        {"unknown dtype", raw_file(R"({"a":{"dtype":"F17","shape":[2],"data_offsets":[0,8]}})", std::string(8, 'x')),
         "unsupported dtype 'F17'"},
        {"shape/offset size mismatch", raw_file(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", std::string(8, 'x')),
         "needs 12 bytes but data_offsets [0, 8] span 8"},
        {"offsets end before they begin", raw_file(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", std::string(8, 'x')),
         "end before they begin"},
        {"overlapping offsets",
         raw_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I32","shape":[2],"data_offsets":[4,12]}})", kGoodData),
         "tensors 'a' and 'b' overlap"},
        {"out-of-range offsets",
         raw_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I32","shape":[2],"data_offsets":[8,16]}})", kGoodData),
         "tensor 'b' data_offsets [8, 16] are out of range"},
        {"gap between tensors",
         raw_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I32","shape":[1],"data_offsets":[12,16]}})", kGoodData + "pad!"),
         "gap in the data before tensor 'b'"},
        {"trailing bytes", raw_file(kGoodHeader, kGoodData + "junk"), "4 trailing bytes"},
        {"missing field", raw_file(R"({"a":{"dtype":"F32","shape":[2]}})", ""), "needs the fields"},
        {"unknown field", raw_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":[]}})", std::string(8, 'x')),
         "unknown field \"x\""},
        {"non-string metadata", raw_file(R"({"__metadata__":{"epoch":3}})", ""), "metadata \"epoch\" is an integer"},
    };
    for (size_t i = 0; i < cases.size(); ++i) {
        const Case& c = cases[i];
        INFO("case: " << c.name);
        const std::string path = dir.file("corrupt_" + std::to_string(i) + ".safetensors");
        write_raw(path, c.bytes);
        const std::string msg = load_error(path);
        CHECK_THAT(msg, Contains("'" + path + "'"));
        CHECK_THAT(msg, Contains(c.phrase));
    }

    SECTION("a missing file") {
        const std::string path = dir.file("absent.safetensors");
        const std::string msg = load_error(path);
        CHECK_THAT(msg, Contains(path));
        CHECK_THAT(msg, Contains(std::strerror(ENOENT)));
    }
}

TEST_CASE("as_f32 widens BF16 and F16 exactly and refuses other dtypes", "[checkpoint]") {
    const float inf = std::numeric_limits<float>::infinity();
    const std::vector<uint16_t> f16{0x3C00, 0xC000, 0x7BFF, 0x0001, 0x8400, 0x3555, 0x7C00, 0x8000};
    const std::vector<float> f16_want{1.0f, -2.0f, 65504.0f, std::ldexp(1.0f, -24), -std::ldexp(1.0f, -14),
                                      0.333251953125f, inf, -0.0f};
    const std::vector<float> got = deepnet::as_f32({"h", "F16", {8}, bytes_of(f16)});
    CHECK(got == f16_want);
    CHECK(std::signbit(got[7]));
    CHECK(std::isnan(deepnet::as_f32({"n", "F16", {1}, bytes_of(std::vector<uint16_t>{0x7E00})})[0]));

    const std::vector<uint16_t> bf16{0x3F80, 0xC049, 0x0001, 0xFF80};
    const std::vector<float> bf16_want{1.0f, -3.140625f, std::ldexp(1.0f, -133), -inf};
    CHECK(deepnet::as_f32({"b", "BF16", {2, 2}, bytes_of(bf16)}) == bf16_want);

    const std::vector<float> f32{1.5f, -0.0f, 3.0e38f};
    CHECK(deepnet::as_f32({"f", "F32", {3}, bytes_of(f32)}) == f32);

    for (const char* dtype : {"I64", "F64", "I32"}) {
        INFO("dtype " << dtype);
        try {
            deepnet::as_f32({"encoder.step", dtype, {1}, std::string(8, '\0')});
            FAIL("as_f32 accepted " << dtype);
        } catch (const deepnet::UserError& e) {
            CHECK_THAT(e.what(), Contains("encoder.step"));
            CHECK_THAT(e.what(), Contains(dtype));
        }
    }
}

TEST_CASE("make_f32_record copies the data with the given shape", "[checkpoint]") {
    const std::vector<float> v{0.5f, -1.25f, 3.0f, 4.5f, -5.0f, 6.75f};
    const TensorRecord r = deepnet::make_f32_record("w", {2, 3}, v.data());
    CHECK(r.name == "w");
    CHECK(r.dtype == "F32");
    CHECK(r.shape == std::vector<int64_t>{2, 3});
    CHECK(r.bytes == bytes_of(v));
    const float s = -9.5f;
    CHECK(deepnet::make_f32_record("s", {}, &s).bytes == bytes_of(std::vector<float>{s}));
    CHECK(deepnet::make_f32_record("e", {4, 0}, nullptr).bytes.empty());
}

TEST_CASE("save_safetensors refuses invalid records and writes nothing", "[checkpoint]") {
    SafetensorsTempDir dir;
    const std::string path = dir.file("bad.safetensors");
    const std::string four = std::string(4, '\x01');
    const std::vector<std::vector<TensorRecord>> bad{
        {{"a", "F32", {2}, four}},                       // 4 bytes for 2 floats
        {{"a", "F32", {1}, four}, {"a", "I32", {1}, four}},  // duplicate name
        {{"a", "U8", {4}, four}},                        // unsupported dtype
        {{"__metadata__", "F32", {1}, four}},            // reserved name
        {{"a", "F32", {-1}, ""}},                        // negative dimension
        {{"\xff", "F32", {1}, four}},                    // not UTF-8: Python could not read it
    };
    for (size_t i = 0; i < bad.size(); ++i) {
        INFO("case " << i);
        CHECK_THROWS_AS(deepnet::save_safetensors(path, bad[i], {}), deepnet::Error);
        CHECK_FALSE(fs::exists(path));
    }
    CHECK_NOTHROW(deepnet::save_safetensors(path, {{"a", "F32", {1}, four}}, {}));
    CHECK(fs::exists(path));
}

TEST_CASE("save_safetensors replaces an existing checkpoint", "[checkpoint]") {
    SafetensorsTempDir dir;
    const std::string path = dir.file("ckpt.safetensors");
    const std::vector<float> v1{1, 2, 3}, v2{-4, 5};
    deepnet::save_safetensors(path, {deepnet::make_f32_record("w", {3}, v1.data())}, {{"step", "1"}});
    deepnet::save_safetensors(path, {deepnet::make_f32_record("w", {2}, v2.data())}, {{"step", "2"}});
    const deepnet::SafetensorsFile f = deepnet::load_safetensors(path);
    CHECK(f.metadata.at("step") == "2");
    CHECK(deepnet::as_f32(f.tensors.at("w")) == v2);
    CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}
