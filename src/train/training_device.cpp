// The training device (see training_device.h).
#include "src/train/training_device.h"

#include "src/core/error.h"
#include "src/core/log.h"

namespace deepnet {

Device training_device(const TrainConfig& cfg, int world, int local_rank) {
    if (cfg.devices.empty()) return Device{};
    const size_t n = cfg.devices.size();
    DEEPNET_USER_CHECK(n == 1 || world > 1, "--devices: " << n << " GPUs given to one process; a process drives one "
                                                 "GPU: start one per GPU, mpirun -np "
                                                 << n << " deepnet train --devices ... (docs/distributed.md)");
    for (const int64_t d : cfg.devices)
        DEEPNET_USER_CHECK(d >= 0 && d < 1024, "--devices " << d << ": a GPU number is 0 or more, below 1024");
    DEEPNET_CHECK(local_rank >= 0, "local rank " << local_rank);
    return Device{DeviceKind::CUDA, int(cfg.devices[size_t(local_rank) % n])};
}

void check_fits_on_gpu(int64_t state_bytes, size_t free_bytes, const std::string& gpu) {
    const double gib = double(int64_t(1) << 30), free = double(free_bytes);
    log::info("GPU memory: " + std::to_string(double(state_bytes) / gib).substr(0, 5) +
              " GiB for weights, gradients and Adam moments (plus activations), " +
              std::to_string(free / gib).substr(0, 5) + " GiB free");
    DEEPNET_USER_CHECK(double(state_bytes) < free,
                       "the weights, gradients and Adam moments of this model need "
                           << double(state_bytes) / gib << " GiB, more than the " << free / gib << " GiB free on "
                           << gpu << ": reduce dim-emb, transformer-dim-ffn, the depths or dim-vocabs");
}

}  // namespace deepnet
