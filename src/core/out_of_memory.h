// The device allocators' out-of-memory error: a type of its own, so that callers that can
// recover (memory-fit batching measures growing batches until one fails; the trainer adds
// the memory plan to the message) catch it by type instead of matching message text.
#pragma once

#include "src/core/error.h"

namespace deepnet {

class OutOfMemory : public UserError {
public:
    explicit OutOfMemory(const std::string& what) : UserError(what) {}
};

}  // namespace deepnet
