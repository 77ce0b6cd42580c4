// Progress lines and JSON lines (see train_log.h).
#include "src/train/train_log.h"

#include <cmath>
#include <cstdio>
#include <ctime>

#include "src/core/error.h"
#include "src/core/log.h"

namespace deepnet {
namespace {

std::string json_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\';
        o += c;
    }
    return o;
}

// The local time as the log lines show it (src/core/log.cpp).
std::string timestamp() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    return stamp;
}

}  // namespace

std::string json_number(double v) {
    if (!std::isfinite(v)) return "null";
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.6g", v);
    return buf;
}

std::string format_duration(double s) {
    const long t = long(s + 0.5);
    char buf[32];
    if (t >= 3600) std::snprintf(buf, sizeof(buf), "%ldh%02ldm%02lds", t / 3600, t / 60 % 60, t % 60);
    else if (t >= 60) std::snprintf(buf, sizeof(buf), "%ldm%02lds", t / 60, t % 60);
    else std::snprintf(buf, sizeof(buf), "%.1fs", s);
    return buf;
}

TrainLog::TrainLog(const std::string& path, const std::string& valid_log_path) {
    if (!valid_log_path.empty()) {
        valid_log_.open(valid_log_path, std::ios::app);
        DEEPNET_USER_CHECK(valid_log_.good(), "cannot write the validation log (valid-log) " << valid_log_path);
    }
    if (path.empty()) return;
    json_.open(path, std::ios::app);
    DEEPNET_USER_CHECK(json_.good(), "cannot write the JSON log " << path);
}

void TrainLog::progress(const ProgressRecord& r) {
    char line[512], scale[48] = "";
    if (r.cost_scale > 0) std::snprintf(scale, sizeof(scale), " : Cost scale %g", r.cost_scale);
    std::snprintf(line, sizeof(line),
                  "Ep. %ld : Up. %ld : Sen. %ld : Cost %.5f : Ppl %.2f : L.r. %.4e : gNorm %.4f%s : "
                  "%.0f tokens/s : Time %s%s%s",
                  long(r.epoch), long(r.updates), long(r.sentences), r.loss, r.perplexity,
                  r.learn_rate, r.grad_norm, scale, r.tokens_per_second,
                  format_duration(r.elapsed_seconds).c_str(),
                  r.remaining_seconds >= 0 ? " : Remaining " : "",
                  r.remaining_seconds >= 0 ? format_duration(r.remaining_seconds).c_str() : "");
    log::info(line);
    if (!json_.is_open()) return;
    json_ << "{\"type\":\"train\",\"epoch\":" << r.epoch << ",\"updates\":" << r.updates
          << ",\"sentences\":" << r.sentences << ",\"loss\":" << json_number(r.loss)
          << ",\"perplexity\":" << json_number(r.perplexity) << ",\"learn_rate\":" << json_number(r.learn_rate)
          << ",\"grad_norm\":" << json_number(r.grad_norm) << ",\"tokens_per_second\":"
          << json_number(r.tokens_per_second) << ",\"elapsed_seconds\":" << json_number(r.elapsed_seconds)
          << ",\"remaining_seconds\":" << (r.remaining_seconds >= 0 ? json_number(r.remaining_seconds) : "null");
    if (r.cost_scale > 0) json_ << ",\"cost_scale\":" << json_number(r.cost_scale);
    json_ << "}\n";
    json_.flush();
}

void TrainLog::valid(const ValidRecord& r) {
    char line[512];
    std::snprintf(line, sizeof(line), "Ep. %ld : Up. %ld : %s%s%s : %.4f%s%s", long(r.epoch),
                  long(r.updates), r.metric.c_str(), r.direction.empty() ? "" : " ",
                  r.direction.c_str(), r.value, r.stalled >= 0 ? " : " : "",
                  r.stalled == 0 ? "new best"
                  : r.stalled > 0 ? ("stalled " + std::to_string(r.stalled) + " times").c_str()
                                  : "");
    log::info(std::string("[valid] ") + line);
    if (valid_log_.is_open()) valid_log_ << "[" << timestamp() << "] [valid] " << line << std::endl;
    if (!json_.is_open()) return;
    json_ << "{\"type\":\"valid\",\"epoch\":" << r.epoch << ",\"updates\":" << r.updates
          << ",\"metric\":\"" << json_escape(r.metric) << "\",\"direction\":\""
          << json_escape(r.direction) << "\",\"value\":" << json_number(r.value) << ",\"best\":" << json_number(r.best)
          << ",\"stalled\":" << r.stalled << "}\n";
    json_.flush();
}

void TrainLog::record(const std::string& json_object) {
    if (!json_.is_open()) return;
    json_ << json_object << "\n";
    json_.flush();
}

void TrainLog::event(const std::string& what, int64_t updates) {
    if (!json_.is_open()) return;
    json_ << "{\"type\":\"event\",\"event\":\"" << json_escape(what) << "\",\"updates\":" << updates << "}\n";
    json_.flush();
}

}  // namespace deepnet
