// Prefetching batch stream with exact resume (see batch_stream.h).
#include "src/data/batch_stream.h"

#include "src/core/error.h"

namespace deepnet {

BatchStream::BatchStream(std::shared_ptr<const ParallelData> data, DataConfig cfg, uint64_t seed,
                         DataPosition start)
    : data_(std::move(data)), cfg_(std::move(cfg)), seed_(seed), pos_(start) {
    DEEPNET_CHECK(data_ != nullptr, "BatchStream without data");
    DEEPNET_USER_CHECK(pos_.epoch >= 1 && pos_.batches_in_epoch >= 0,
                       "invalid data position: epoch " << pos_.epoch << ", batch "
                                                       << pos_.batches_in_epoch);
    current_ = build_epoch_batches(*data_, cfg_, seed_, pos_.epoch);
    DEEPNET_USER_CHECK(pos_.batches_in_epoch <= int64_t(current_.size()),
                       "the saved data position (batch " << pos_.batches_in_epoch << " of epoch "
                       << pos_.epoch << ") lies beyond the " << current_.size() << " batches of "
                       "that epoch: the training data, the batching options or the seed changed "
                       "since the checkpoint was written");
    start_prefetch(pos_.epoch + 1);
}

BatchStream::~BatchStream() {
    if (worker_.joinable()) worker_.join();
}

void BatchStream::start_prefetch(int64_t epoch) {
    next_.clear();
    next_error_ = nullptr;
    // The thread only reads data_ (immutable, shared) and writes next_/next_error_, which
    // the main thread touches only after join().
    worker_ = std::thread([this, epoch] {
        try {
            next_ = build_epoch_batches(*data_, cfg_, seed_, epoch);
        } catch (...) {
            next_error_ = std::current_exception();
        }
    });
}

std::vector<BatchIds> BatchStream::take_prefetched() {
    worker_.join();
    if (next_error_) std::rethrow_exception(next_error_);
    return std::move(next_);
}

BatchPairs BatchStream::next() {
    // Also covers a resume exactly at the end of an epoch, and epochs without batches
    // cannot occur: load_corpora guarantees at least one pair.
    while (pos_.batches_in_epoch >= int64_t(current_.size())) {
        current_ = take_prefetched();
        pos_ = DataPosition{pos_.epoch + 1, 0};
        start_prefetch(pos_.epoch + 1);
    }
    BatchPairs out;
    out.position = pos_;
    out.epoch_batches = int64_t(current_.size());
    out.pair_ids = current_[size_t(pos_.batches_in_epoch)];
    for (int64_t id : out.pair_ids) {
        out.sources.push_back(data_->source(id));
        out.targets.push_back(data_->target(id));
    }
    ++pos_.batches_in_epoch;
    return out;
}

}  // namespace deepnet
