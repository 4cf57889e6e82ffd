"""PyTorch peer for the Tensile benchmark harness (same workloads and protocol as WORKLOADS.md).

Usage: python3 torch_bench.py <threads> <workload,...>  -> one JSON line per workload.
Thread variables must be set before torch is imported, so they are set from argv first.
"""
import os
import sys

threads = int(sys.argv[1])
wanted = sys.argv[2].split(",")
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(threads)

from bench_protocol import measure, print_result  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(threads)
torch.set_num_interop_threads(1)


def blas_kernel():
    """Which BLAS torch loaded and, for OpenBLAS, which CPU kernel it chose (the fair-peer check)."""
    import ctypes
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line.rsplit("/", 1)[-1]}
    for path in sorted(paths):
        try:
            corename = ctypes.CDLL(os.path.realpath(path)).openblas_get_corename
        except (OSError, AttributeError):
            continue
        corename.restype = ctypes.c_char_p
        return f"OpenBLAS {corename().decode()} kernel ({os.path.realpath(path)})"
    return f"no OpenBLAS: {', '.join(sorted(paths)) or 'no BLAS library'} (Debian: apt-get install libopenblas0)"


torch.ones(2, 2) @ torch.ones(2, 2)  # loads the BLAS library
print(f"  torch {threads} thread(s): {blas_kernel()}", file=sys.stderr)


def mnist_model():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10),
    )


def mlp_model():
    return nn.Sequential(nn.Linear(122, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 2))


def train_step(model, x, classes):
    labels = torch.randint(0, classes, (x.shape[0],))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), labels)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def gemm(n):
    a, b = torch.rand(n, n), torch.rand(n, n)
    return lambda: a @ b


def conv(shape, filters):
    x, w = torch.rand(*shape), torch.rand(filters, shape[1], 3, 3)
    return lambda: F.conv2d(x, w)


def tiny_add():
    a, b = torch.rand(4), torch.rand(4)

    def call():
        for _ in range(10000):
            a + b

    return call


def infer():
    model, x = mnist_model(), torch.rand(256, 1, 28, 28)

    def call():
        with torch.inference_mode():
            model(x)

    return call


# id: (make call, warmup calls, samples, min block ms, unit, figure from ms, minimum warm-up ms)
WORKLOADS = {
    "tiny_add": (tiny_add, 3, 9, 30, "µs/op", lambda ms: ms * 1000 / 10000),
    **{f"sgemm_{n}": ((lambda n=n: gemm(n)), 3, 9, 30, "GFLOP/s", (lambda ms, n=n: 2 * n**3 / (ms * 1e6))) for n in (128, 256, 512, 1024)},
    "conv1": ((lambda: conv((64, 1, 28, 28), 32)), 3, 9, 30, "ms", lambda ms: ms),
    "conv2": ((lambda: conv((64, 32, 13, 13), 64)), 3, 9, 30, "ms", lambda ms: ms),
    "mnist_train": ((lambda: train_step(mnist_model(), torch.rand(64, 1, 28, 28), 10)), 5, 30, 0, "ms/step", lambda ms: ms, 1000),
    "mnist_infer": (infer, 3, 15, 30, "images/s", lambda ms: 256 / (ms / 1000)),
    "mlp_train": ((lambda: train_step(mlp_model(), torch.randn(256, 122), 2)), 10, 30, 20, "ms/step", lambda ms: ms, 1000),
}

for wid, (make, warmup, samples, block, unit, figure, *warmup_ms) in WORKLOADS.items():
    if wid not in wanted:
        continue
    call = make()
    if wid in ("sgemm_128", "sgemm_256", "sgemm_512", "sgemm_1024", "conv1", "conv2"):
        with torch.inference_mode():
            values = [figure(ms) for ms in measure(call, warmup, samples, block, *warmup_ms)]
    else:
        values = [figure(ms) for ms in measure(call, warmup, samples, block, *warmup_ms)]
    print_result(wid, "torch", threads, values, unit)
