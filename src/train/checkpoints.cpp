// Output paths, pre-flight checks and checkpoint rotation (see checkpoints.h).
#include "src/train/checkpoints.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "src/core/atomic_file.h"
#include "src/core/error.h"
#include "src/core/log.h"
#include "src/train/train_state.h"

namespace deepnet {
namespace {

namespace fs = std::filesystem;
const std::string kExt = ".safetensors";

std::string stem(const std::string& model) {
    const bool ext = model.size() > kExt.size() && model.compare(model.size() - kExt.size(), kExt.size(), kExt) == 0;
    return ext ? model.substr(0, model.size() - kExt.size()) : model;
}

std::string suffixed(const std::string& model, const std::string& tag) {
    const std::string s = stem(model);
    return s + tag + (s.size() < model.size() ? kExt : "");
}

std::string parent_of(const std::string& path) {
    const fs::path p = fs::path(path).parent_path();
    return p.empty() ? "." : p.string();
}

// Creates the directory of `path` and proves that `path` can be written.
void probe_writable(const std::string& path, const std::string& what) {
    DEEPNET_USER_CHECK(!path.empty(), what << " is an empty path: give a file name");
    const std::string dir = parent_of(path);
    std::error_code ec;
    fs::create_directories(dir, ec);
    DEEPNET_USER_CHECK(!ec, "cannot create the directory '" << dir << "' for " << what << " '" << path
                                                              << "': " << ec.message());
    struct stat st {};
    DEEPNET_USER_CHECK(::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode),
                       what << " '" << path << "' is a directory; give a file name");
    const std::string probe = path + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    DEEPNET_USER_CHECK(fd >= 0, "cannot write " << what << " '" << path << "': " << std::strerror(errno));
    ::close(fd);
    ::unlink(probe.c_str());
}

// A hard link costs no space and keeps the old inode when the model is next replaced by
// rename; file systems without links get a copy, written atomically so a kill mid-copy
// never leaves a torn copy under the final name.
void link_or_copy(const std::string& from, const std::string& to) {
    ::unlink(to.c_str());
    if (::link(from.c_str(), to.c_str()) == 0) return;
    std::ifstream in(from, std::ios::binary);
    DEEPNET_USER_CHECK(in.good(), "cannot keep a copy of '" << from << "' as '" << to << "': cannot read it");
    write_file_atomic(to, [&](const ChunkSink& sink) {
        std::vector<char> chunk(size_t(16) << 20);
        while (in) {
            in.read(chunk.data(), std::streamsize(chunk.size()));
            if (in.gcount() > 0) sink(chunk.data(), size_t(in.gcount()));
        }
        DEEPNET_USER_CHECK(in.eof(), "cannot keep a copy of '" << from << "' as '" << to << "': read error");
    });
}

}  // namespace

std::string best_model_path(const std::string& model, const std::string& metric) {
    return suffixed(model, ".best-" + metric);
}

std::string iter_model_path(const std::string& model, int64_t update) {
    return suffixed(model, ".iter" + std::to_string(update));
}

std::vector<int64_t> kept_iterations(const std::string& model) {
    const std::string prefix = fs::path(stem(model)).filename().string() + ".iter";
    const std::string tail = stem(model).size() < model.size() ? kExt : "";
    std::vector<int64_t> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(parent_of(model), ec)) {
        const std::string name = e.path().filename().string();
        if (name.size() <= prefix.size() + tail.size() || name.compare(0, prefix.size(), prefix) != 0 ||
            name.compare(name.size() - tail.size(), tail.size(), tail) != 0)
            continue;
        const std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - tail.size());
        if (digits.empty() || digits.size() > 18 || digits.find_first_not_of("0123456789") != std::string::npos)
            continue;
        out.push_back(std::stoll(digits));
    }
    std::sort(out.begin(), out.end());
    return out;
}

void prepare_output_paths(const TrainConfig& cfg, const std::string& vocab_path) {
    probe_writable(cfg.model_path, "the model (--model)");
    std::vector<std::string> paths = {train_state_path(cfg.model_path)};
    for (const std::string& metric : cfg.valid_metrics) paths.push_back(best_model_path(cfg.model_path, metric));
    for (const std::string& p : paths) probe_writable(p, "the output file");
    if (!cfg.log_json.empty()) probe_writable(cfg.log_json, "the JSON log (--log-json)");
    if (!cfg.valid_translation_output.empty())
        probe_writable(cfg.valid_translation_output, "the validation output (--valid-translation-output)");
    struct stat st {};
    if (::stat(vocab_path.c_str(), &st) != 0) probe_writable(vocab_path, "the vocabulary");
    paths.push_back(cfg.model_path);
    for (const std::string& p : paths)
        for (const std::string& removed : remove_stale_temp_files(p))
            log::info("removed " + removed + ", left behind by a run that was killed while saving");
}

void check_free_space(const std::string& path, int64_t bytes, const std::string& what) {
    struct statvfs vfs {};
    if (::statvfs(parent_of(path).c_str(), &vfs) != 0) return;  // unknown: the write will tell
    const double free_bytes = double(vfs.f_bavail) * double(vfs.f_frsize);
    DEEPNET_USER_CHECK(free_bytes >= double(bytes),
                       what << " needs " << bytes / (1 << 20) << " MiB but the file system of '" << path
                            << "' has " << int64_t(free_bytes) / (1 << 20) << " MiB free: free some space "
                            << "or choose another --model directory");
}

int64_t first_non_finite(const float* v, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (!std::isfinite(v[i])) return int64_t(i);
    return -1;
}

int64_t first_non_finite(const FlatView<float>& v) {
    if (v.device().kind == DeviceKind::CPU) return first_non_finite(v.data(), v.size());
    const std::vector<float> host = v.to_vector();
    return first_non_finite(host.data(), host.size());
}

void keep_last_checkpoints(const std::string& model, int64_t update, int64_t keep) {
    if (keep <= 1) return;
    const std::string iter = iter_model_path(model, update);
    link_or_copy(model, iter);
    link_or_copy(train_state_path(model), train_state_path(iter));
    // Copies numbered above `update` belong to a run this one abandoned (it resumed from an
    // older state): they go first, then the oldest, and the copy just written always stays.
    const std::vector<int64_t> numbers = kept_iterations(model);  // ascending
    std::vector<int64_t> removable, kept;  // kept: up to `update`, which is its last
    for (const int64_t n : numbers) (n > update ? removable : kept).push_back(n);
    if (kept.size() > size_t(keep))
        removable.insert(removable.end(), kept.begin(), kept.end() - keep);
    for (const int64_t n : removable) {
        const std::string old = iter_model_path(model, n);
        ::unlink(train_state_path(old).c_str());
        ::unlink(old.c_str());
    }
}

std::vector<std::string> iteration_states(const std::string& model) {
    std::vector<std::string> out;
    const std::vector<int64_t> numbers = kept_iterations(model);
    for (auto it = numbers.rbegin(); it != numbers.rend(); ++it) {
        const std::string state = train_state_path(iter_model_path(model, *it));
        struct stat st {};
        if (::stat(state.c_str(), &st) == 0) out.push_back(state);
    }
    return out;
}

}  // namespace deepnet
