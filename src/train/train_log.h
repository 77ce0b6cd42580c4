// Training log: Marian-style progress lines on stderr (and --log), and the same figures
// as JSON lines (one object per line, "type": "train" | "valid" | "event") for plots; the
// validation lines also go to --valid-log (Marian's) when given.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>

namespace deepnet {

struct ProgressRecord {
    int64_t epoch = 0, updates = 0, sentences = 0;
    double loss = 0;        // label-smoothed loss per target token over the interval
    double perplexity = 0;  // exp(nll per target token) over the interval
    double learn_rate = 0, grad_norm = 0;
    double tokens_per_second = 0;  // target tokens
    double elapsed_seconds = 0;
    double remaining_seconds = -1;  // < 0: no stop criterion known
    double cost_scale = 0;          // --cost-scaling's scale now; 0 = off (not logged)
};

struct ValidRecord {
    int64_t epoch = 0, updates = 0;
    std::string metric, direction;  // direction "" = all validation data together
    double value = 0, best = 0;
    int64_t stalled = 0;
};

// A number as the JSON log writes it: 6 significant digits, null for NaN/Inf.
std::string json_number(double v);

class TrainLog {
public:
    // "" = no JSON log / no validation log.
    explicit TrainLog(const std::string& json_path, const std::string& valid_log_path = "");
    void progress(const ProgressRecord& r);
    void valid(const ValidRecord& r);
    void event(const std::string& what, int64_t updates);  // "saved", "resumed", ...
    void record(const std::string& json_object);  // one line as it is (diagnostics)

private:
    std::ofstream json_;
    std::ofstream valid_log_;
};

std::string format_duration(double seconds);  // "1h02m03s"

}  // namespace deepnet
