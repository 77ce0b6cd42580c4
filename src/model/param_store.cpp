// Flat parameter layout: names -> (shape, offset).
#include "src/model/param_store.h"

#include "src/core/error.h"

namespace deepnet {

int64_t ParamLayout::add(const std::string& name, const std::vector<int64_t>& shape) {
    DEEPNET_CHECK(!index_.count(name), "parameter declared twice: " << name);
    int64_t size = 1;
    for (int64_t d : shape) size *= d;
    ParamEntry e{name, shape, total_, size};
    total_ += (size + 15) / 16 * 16;
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
