"""The harness's timing protocol for the Python peers (WORKLOADS.md): warm up, size a block of calls
to at least min_block_ms, time `samples` blocks; one JSON result line per workload."""
import json
import math
import statistics
import time


def measure(call, warmup, samples, min_block_ms, warmup_ms=0):
    """Milliseconds per call, one value per timed block; warm-up lasts at least warmup_ms."""
    start = time.perf_counter()
    done = 0
    while done < warmup or (time.perf_counter() - start) * 1000 < warmup_ms:
        call()
        done += 1
    calls, spent = 0, 0.0
    while spent < 0.010:
        start = time.perf_counter()
        call()
        spent += time.perf_counter() - start
        calls += 1
    k = max(1, math.ceil(min_block_ms / 1000 / (spent / calls)))
    out = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(k):
            call()
        out.append((time.perf_counter() - start) / k * 1000)
    return out


def print_result(workload, engine, threads, values, unit):
    """The result line the harness reads: median, min and max of the per-block values."""
    print(json.dumps({"workload": workload, "engine": engine, "threads": threads, "median": statistics.median(values),
                      "min": min(values), "max": max(values), "unit": unit}, ensure_ascii=False), flush=True)
