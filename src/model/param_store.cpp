// Flat parameter layout: names -> (shape, offset).
#include "src/model/param_store.h"

#include "src/core/error.h"

namespace deepnet {

int64_t ParamLayout::add(const std::string& name, const std::vector<int64_t>& shape) {
    DEEPNET_CHECK(!index_.count(name), "parameter declared twice: " << name);
    // Callers check the model's shape first (model_limits.h); this is the last line of defence.
    int64_t size = 1;
    for (int64_t d : shape)
        DEEPNET_CHECK(d >= 0 && !__builtin_mul_overflow(size, d, &size), "parameter " << name << " is too large");
    const int64_t padded = (size + 15) / 16 * 16;
    ParamEntry e{name, shape, total_, size};
    DEEPNET_CHECK(padded >= size && !__builtin_add_overflow(total_, padded, &total_),
                  "the parameters are too many at " << name);
    index_[name] = entries_.size();
    entries_.push_back(e);
    return e.offset;
}

const ParamEntry& ParamLayout::at(const std::string& name) const {
    auto it = index_.find(name);
    DEEPNET_CHECK(it != index_.end(), "no parameter named " << name);
    return entries_[it->second];
}

int64_t ParamLayout::count() const {
    int64_t n = 0;
    for (const auto& e : entries_) n += e.size;
    return n;
}

}  // namespace deepnet
