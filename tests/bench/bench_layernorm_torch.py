#!/usr/bin/env python3
# PyTorch beside bench_layernorm_cuda (run by scripts/gpu-check.sh): F.layer_norm(alpha * x + f), forward and backward
# (dx, df, dgamma, dbeta), same shapes, same byte counting, CUDA events, median.
import torch, torch.nn.functional as F
torch.manual_seed(0)
def med(fn, reps=50):
    for _ in range(5): fn()
    ts = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record(); b.synchronize(); ts.append(a.elapsed_time(b))
    return sorted(ts)[len(ts) // 2]
print(f"torch {torch.__version__}, {torch.cuda.get_device_name()}")
print(f"{'op':9} {'type':6} {'N':>6} {'C':>5} {'time_us':>9} {'GB/s':>8}")
for C in (512, 1024):
    for dt, name in ((torch.bfloat16, "bf16"), (torch.float32, "float")):
        N, s, alpha = 16384, torch.finfo(dt).bits // 8, 1.7
        x = torch.randn(N, C, device="cuda", dtype=dt, requires_grad=True)
        f = torch.randn(N, C, device="cuda", dtype=dt, requires_grad=True)
        w = torch.randn(C, device="cuda", dtype=dt, requires_grad=True)
        bias = torch.randn(C, device="cuda", dtype=dt, requires_grad=True)
        dy = torch.randn(N, C, device="cuda", dtype=dt)
        fwd = lambda: F.layer_norm(alpha * x + f, (C,), w, bias, 1e-5)
        with torch.no_grad():
            t = med(fwd)
        print(f"{'forward':9} {name:6} {N:6} {C:5} {t*1e3:9.1f} {(3*N*C*s + 2*C*s + 8*N)/(t*1e-3)/1e9:8.0f}")
        def bwd():
            y = fwd()
            torch.autograd.backward(y, dy)
        t = med(bwd)  # includes the forward: PyTorch saves no z for us to reuse
        print(f"{'fwd+bwd':9} {name:6} {N:6} {C:5} {t*1e3:9.1f} {(8*N*C*s + 3*C*s + 16*N)/(t*1e-3)/1e9:8.0f}")
