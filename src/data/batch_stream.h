// The endless stream of training batches the trainer pulls from: epoch after epoch of
// build_epoch_batches, with the next epoch prepared on a background std::thread while the
// current one is consumed, so building batches never stalls training.
// Resume: position() is (epoch, batches consumed in it); a stream constructed from a saved
// position yields exactly the batches the original stream would have yielded from there,
// given the same data (check ParallelData::fingerprint), options and seed.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <thread>
#include <vector>

#include "src/config/data_config.h"
#include "src/data/batcher.h"
#include "src/data/corpus.h"

namespace deepnet {

struct DataPosition {
    int64_t epoch = 1;             // 1-based, as Marian prints it
    int64_t batches_in_epoch = 0;  // batches of this epoch already handed out
    bool operator==(const DataPosition& o) const {
        return epoch == o.epoch && batches_in_epoch == o.batches_in_epoch;
    }
};

// One batch, ready for make_batch(sources, targets, model_config).
struct BatchPairs {
    std::vector<std::vector<int64_t>> sources, targets;
    std::vector<int64_t> pair_ids;
    DataPosition position;       // where this batch sits: epoch and index within it
    int64_t epoch_batches = 0;   // batches in this batch's epoch
};

class BatchStream {
public:
    // Throws UserError when `start` lies beyond its epoch (data or options changed).
    BatchStream(std::shared_ptr<const ParallelData> data, DataConfig cfg, uint64_t seed,
                DataPosition start = {});
    ~BatchStream();  // waits for the background thread
    BatchStream(const BatchStream&) = delete;
    BatchStream& operator=(const BatchStream&) = delete;

    BatchPairs next();  // never runs out: moves on to the next epoch
    // Batches handed out so far, as (epoch, count in it); save this to resume. After the
    // last batch of an epoch it reads (epoch, epoch_batches()) until next() moves on.
    DataPosition position() const { return pos_; }
    int64_t epoch_batches() const { return int64_t(current_.size()); }  // of position().epoch

private:
    void start_prefetch(int64_t epoch);
    std::vector<BatchIds> take_prefetched();  // joins; rethrows the thread's exception

    std::shared_ptr<const ParallelData> data_;
    DataConfig cfg_;
    uint64_t seed_;
    DataPosition pos_;
    std::vector<BatchIds> current_;
    std::vector<BatchIds> next_;
    std::exception_ptr next_error_;
    std::thread worker_;
};

}  // namespace deepnet
