// The memory plan of a training run (see memory_report.h).
#include "src/train/memory_report.h"

#include <algorithm>
#include <cstdio>
#include <new>

#include "src/core/error.h"
#include "src/core/out_of_memory.h"
#include "src/ops/device_runtime.h"

namespace deepnet {

TrainingMemorySetting memory_setting(const TrainConfig& cfg, int64_t world) {
    TrainingMemorySetting s;
    s.device = cfg.devices.empty() ? DeviceKind::CPU : DeviceKind::CUDA;
    s.gemm = cfg.gemm_type;
    s.weight_average = cfg.exponential_smoothing > 0;
    s.moment_shards = cfg.dist.optimizer_sharding ? std::max<int64_t>(world, 1) : 1;
    if (s.device == DeviceKind::CUDA) s.gpu_workspace = int64_t(ops::kOpScratchBytes + ops::kGemmWorkspaceBytes);
    return s;
}

BatchShape largest_batch_shape(const DataConfig& data) {
    const int64_t L = data.max_length + 1;
    int64_t B = std::max<int64_t>(1, data.mini_batch_words / L);
    if (data.mini_batch_fit && !data.fit_sentences.empty()) B = data.fit_sentences.back();
    if (data.mini_batch > 0) B = std::min(B, data.mini_batch);
    return {B, L, L};
}

std::string worst_batch_line(const ModelConfig& model, const TrainingMemorySetting& setting, const DataConfig& data) {
    if (data.mini_batch_fit) return "";
    const BatchShape usual = largest_batch_shape(data);
    const int64_t usual_bytes = plan_training_memory(model, setting, usual).batch_bytes();
    BatchShape worst = usual;
    int64_t worst_bytes = usual_bytes;
    for (int64_t t = 2; t < usual.T; t *= 2) {  // training pairs are never empty: a token and </s>
        BatchShape b{std::max<int64_t>(1, data.mini_batch_words / t), usual.S, t};
        if (data.mini_batch > 0) b.B = std::min(b.B, data.mini_batch);
        const int64_t bytes = plan_training_memory(model, setting, b).batch_bytes();
        if (bytes > worst_bytes) worst = b, worst_bytes = bytes;
    }
    if (worst_bytes == usual_bytes) return "";
    return "  a batch of short targets beside the longest sources may take more: " + std::to_string(worst.B) +
           " sentences x " + std::to_string(worst.S) + " source x " + std::to_string(worst.T) +
           " target positions, " + format_bytes(worst_bytes) + " (mini-batch-words counts target tokens only; "
           "--mini-batch caps the sentences)";
}

int64_t workspace_bytes(const TrainConfig& cfg, size_t gpu_free_bytes) {
    constexpr int64_t kMiB = int64_t(1) << 20;
    DEEPNET_USER_CHECK(cfg.workspace_mb > -(int64_t(1) << 30) && cfg.workspace_mb < (int64_t(1) << 30),
                       "--workspace " << cfg.workspace_mb << ": give MB, e.g. -w 10000");
    if (cfg.workspace_mb >= 0) return cfg.workspace_mb * kMiB;
    if (gpu_free_bytes == 0) return 0;
    return std::max<int64_t>(0, int64_t(gpu_free_bytes) + cfg.workspace_mb * kMiB);
}

bool is_out_of_memory(const std::exception& e) {
    return dynamic_cast<const OutOfMemory*>(&e) != nullptr || dynamic_cast<const std::bad_alloc*>(&e) != nullptr;
}

namespace {
const char* gemm_name(DType t) { return t == DType::BF16 ? "bfloat16" : t == DType::F16 ? "float16" : "float32"; }

std::string row(const MemoryPart& p) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "  %-24s %12s", p.name.c_str(), format_bytes(p.bytes).c_str());
    return p.detail.empty() ? std::string(buf) : std::string(buf) + "  " + p.detail;
}
}  // namespace

std::vector<std::string> memory_plan_lines(const ModelConfig& model, const TrainingMemorySetting& setting,
                                           const BatchShape& batch, const std::string& device,
                                           int64_t workspace) {
    const TrainingMemoryPlan plan = plan_training_memory(model, setting, batch);
    std::vector<std::string> out;
    out.push_back("memory plan of one training step on " + device + " (" + gemm_name(setting.gemm) +
                  " GEMMs, float32 storage, recompute " + (model.recompute ? "on" : "off") + "), batch of " +
                  std::to_string(batch.B) + " sentences x " + std::to_string(batch.S) + " source x " +
                  std::to_string(batch.T) + " target positions:");
    for (const MemoryPart& p : plan.state) out.push_back(row(p));
    out.push_back(row({"= training state", plan.state_bytes(), ""}));
    for (const MemoryPart& p : plan.batch) out.push_back(row(p));
    out.push_back(row({"= batch", plan.batch_bytes(), ""}));
    out.push_back(row({"total", plan.total(), ""}));
    if (workspace > 0) {
        const int64_t B = largest_batch(model, setting, batch.S, batch.T, workspace);
        out.push_back("  largest batch of " + std::to_string(batch.S) + "+" + std::to_string(batch.T) +
                      " positions in the " + format_bytes(workspace) + " workspace (-w): " + std::to_string(B) +
                      " sentences (" + std::to_string(B * batch.T) + " target positions)" +
                      (plan.batch_bytes() > workspace ? "; this batch does not fit it" : ""));
    } else {
        out.push_back("  largest batch: the workspace is the GPU's free memory minus " +
                      std::string("|-w| MB, which only the GPU can tell"));
    }
    return out;
}

}  // namespace deepnet
