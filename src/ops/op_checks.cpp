// Argument checks of the ops (see op_checks.h).
#include "src/ops/op_checks.h"

namespace deepnet::ops::detail {

namespace {

void check_one(const Context& ctx, const char* op, const Arg& a, DType dtype) {
    // An optional tensor may be absent (null); a required one may be null only when it has
    // no elements (an empty std::vector's data(), e.g. a rank's empty optimizer shard).
    if (a.t.empty() && a.optional) return;
    DEEPNET_CHECK(!a.t.empty() || a.t.numel() == 0, op << ": tensor " << a.name << " is missing");
    DEEPNET_CHECK(a.t.device == ctx.device, op << ": " << a.name << " is " << describe(a.t)
                                               << " but the op runs on " << device_name(ctx.device));
    DEEPNET_CHECK(a.t.dtype == dtype, op << ": " << a.name << " is " << describe(a.t)
                                         << ", expected " << dtype_name(dtype));
    bool same = a.t.rank == int(a.shape.size());
    int i = 0;
    for (int64_t d : a.shape) same = same && (d < 0 || (i < a.t.rank && a.t.dims[i] == d)), ++i;
    if (!same) {
        std::ostringstream want;
        i = 0;
        for (int64_t d : a.shape) want << (i++ ? ", " : "") << d;
        DEEPNET_CHECK(false, op << ": " << a.name << " is " << describe(a.t) << ", expected shape ["
                                << want.str() << "]");
    }
}

}  // namespace

void check_values(const Context& ctx, const char* op, DType dtype, std::initializer_list<Arg> args) {
    for (const Arg& a : args) check_one(ctx, op, a, dtype);
}

void check_index(const Context& ctx, const char* op, std::initializer_list<Arg> args) {
    for (const Arg& a : args) check_one(ctx, op, a, DType::I64);
}

void check_ids(const Context& ctx, const char* op, const TensorView& ids, const char* what, int64_t lo,
               int64_t hi) {
    if (ctx.device.kind != DeviceKind::CPU) return;
    const int64_t* p = ids.as<int64_t>();
    for (int64_t n = 0; n < ids.numel(); ++n)
        DEEPNET_CHECK(p[n] >= lo && p[n] < hi, op << ": " << what << " " << p[n] << " not in [" << lo << ", " << hi << ")");
}

void* workspace(const Context& ctx, const char* op, size_t bytes) {
    DEEPNET_CHECK(ctx.scratch.bytes >= bytes && (bytes == 0 || ctx.scratch.data),
                  op << ": needs " << bytes << " bytes of workspace, the context has " << ctx.scratch.bytes);
    return ctx.scratch.data;
}

void cuda_not_built(const char* op) {
    throw UserError(std::string(op) + ": this binary was built without the CUDA backend, so the op runs on "
                                      "the CPU only (no --devices)");
}

void unsupported_dtype(const char* op, DType dtype) {
    DEEPNET_CHECK(false, op << ": no kernel for " << dtype_name(dtype) << " tensors");
    __builtin_unreachable();
}

}  // namespace deepnet::ops::detail
