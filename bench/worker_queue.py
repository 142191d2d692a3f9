"""How much of a constant-rate run's latency was the workers' own time, and how much was
waiting for a free worker: the workers' times from gunicorn's access log, and the queue
those times make by themselves (for bench/http_bench.py's latency runs)."""

from __future__ import annotations

import heapq


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.99 for p99); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summary(worker_ms: list[float], rate: float, workers: int) -> dict:
    """The workers' own times per request, and the latency the same times would give at
    `rate` with nothing else in the way (`queued`)."""
    queued = queued_latencies(worker_ms, rate, workers)
    mean = sum(worker_ms) / len(worker_ms) if worker_ms else 0.0
    return {"workers": workers, "requests": len(worker_ms), "p50_ms": percentile(worker_ms, 0.5),
            "p99_ms": percentile(worker_ms, 0.99), "max_ms": max(worker_ms, default=0.0),
            "mean_ms": mean, "busy": rate * mean / 1000 / workers,
            "queued_p50_ms": percentile(queued, 0.5), "queued_p99_ms": percentile(queued, 0.99)}


def queued_latencies(worker_ms: list[float], rate: float, workers: int) -> list[float]:
    """Requests arriving exactly 1/rate apart (the kindest arrivals a constant rate can
    have), each taking the next measured time in turn, served first come first served by
    the first of `workers` to be free: each one's time from arrival to response, in ms."""
    free_at = [0.0] * workers
    gap = 1000 / rate
    latencies = []
    for number, took in enumerate(worker_ms):
        arrived = number * gap
        finished = max(arrived, heapq.heappop(free_at)) + took
        heapq.heappush(free_at, finished)
        latencies.append(finished - arrived)
    return latencies
