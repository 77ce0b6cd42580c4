// The training device (see training_device.h).
#include "src/train/training_device.h"

#include "src/core/error.h"
#include "src/core/log.h"

namespace deepnet {

Device training_device(const TrainConfig& cfg, int world) {
    if (cfg.devices.empty()) return Device{};
    DEEPNET_USER_CHECK(cfg.devices.size() == 1, "--devices: " << cfg.devices.size()
                                                    << " GPUs given; training runs on one GPU so far");
    DEEPNET_USER_CHECK(world == 1, "--devices under mpirun: data parallelism runs on CPU ranks only so far");
    DEEPNET_USER_CHECK(cfg.devices[0] >= 0 && cfg.devices[0] < 1024, "--devices " << cfg.devices[0]
                                                                          << ": a GPU number is 0 or more, below 1024");
    return Device{DeviceKind::CUDA, int(cfg.devices[0])};
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
