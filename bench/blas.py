# CPU sgemm ceiling for the side-by-side benchmark: times float32 matmul (NumPy -> its BLAS, OpenBLAS
# with Debian's python3-numpy) at a few square sizes and prints JSON {"n": GFLOP/s, ...} on stdout.
# Usage: python3 bench/blas.py [n ...]   (default sizes 256 512 1024 1000). Exits 3 if numpy is missing.
# Also writes one stderr line "meta {json}": interpreter, numpy version, BLAS shared libraries loaded.
import json
import os
import sys
import time

try:
    import numpy as np
except ImportError:
    print("numpy not available", file=sys.stderr)
    sys.exit(3)


def gflops(n, min_time=0.25, runs=7):
    rng = np.random.default_rng(n)
    a = rng.random((n, n), dtype=np.float32)
    b = rng.random((n, n), dtype=np.float32)
    c = np.empty((n, n), dtype=np.float32)
    np.matmul(a, b, out=c)  # warm-up: thread pool start, page faults
    # Enough matmuls per timed run to last ~min_time / runs, then the median run.
    t0 = time.perf_counter()
    np.matmul(a, b, out=c)
    one = max(time.perf_counter() - t0, 1e-6)
    reps = max(1, int(min_time / runs / one))
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for _ in range(reps):
            np.matmul(a, b, out=c)
        times.append((time.perf_counter() - t0) / reps)
    times.sort()
    return 2.0 * n * n * n / times[len(times) // 2] / 1e9


def blas_libs():
    """Shared libraries with 'blas' in their name mapped into this process (Linux /proc), deduplicated."""
    libs = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                name = os.path.basename(path)
                if "blas" in name.lower() and ".so" in name:
                    real = os.path.realpath(path)
                    if real not in libs:
                        libs.append(real)
    except OSError:
        pass
    return libs


def main():
    sizes = [int(s) for s in sys.argv[1:]] or [256, 512, 1024, 1000]
    result = {str(n): round(gflops(n), 2) for n in sizes}
    meta = {
        "python": sys.executable,
        "numpy": np.__version__,
        "blas": blas_libs(),
        "cpus": os.cpu_count(),
    }
    print("meta " + json.dumps(meta), file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
