"""A Python load generator, used only when wrk is not installed (`apt-get install -y wrk`).

Two processes with eight threads each keep 16 connections busy, like `wrk -t2 -c16`.
Python spends far more CPU per request than wrk, on the same two cores as the server, so
its figures are lower than wrk's and must not be compared with wrk runs; ratios within
one run remain meaningful. Returns the same fields as bench/wrk.lua's BENCH_JSON line.
"""

from __future__ import annotations

import http.client
import multiprocessing
import secrets
import threading
import time
from urllib.parse import urlsplit


def _worker(url: str, seconds: float, body: bytes | None, cookie: str | None,
            accept_encoding: str | None, threads: int, queue) -> None:
    parts = urlsplit(url)
    deadline = time.perf_counter() + seconds
    results: list[tuple[float, int, int]] = []  # (latency s, status, bytes)
    errors = {"connect_errors": 0, "read_errors": 0}
    lock = threading.Lock()

    def loop() -> None:
        mine = []
        connection = None
        while time.perf_counter() < deadline:
            headers = {"Cookie": cookie} if cookie else {}
            if accept_encoding:
                headers["Accept-Encoding"] = accept_encoding
            payload = None
            if body is not None:
                payload = body.replace(b"SUBMISSION_KEY", secrets.token_urlsafe(24).encode())
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            started = time.perf_counter()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(parts.hostname, parts.port,
                                                            timeout=30)
                connection.request("POST" if payload else "GET", parts.path or "/",
                                   body=payload, headers=headers)
                response = connection.getresponse()
                data = response.read()
                mine.append((time.perf_counter() - started, response.status, len(data)))
                if response.will_close:
                    connection.close()
                    connection = None
            except OSError:
                with lock:
                    errors["connect_errors" if connection is None else "read_errors"] += 1
                if connection is not None:
                    connection.close()
                connection = None
        with lock:
            results.extend(mine)

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    queue.put((results, errors))


def run(url: str, seconds: float, connections: int = 16, processes: int = 2,
        body: bytes | None = None, cookie: str | None = None,
        accept_encoding: str | None = None) -> dict:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    started = time.perf_counter()
    children = [context.Process(target=_worker, args=(url, seconds, body, cookie,
                                                      accept_encoding,
                                                      connections // processes, queue))
                for _ in range(processes)]
    for child in children:
        child.start()
    collected = [queue.get() for _ in children]
    for child in children:
        child.join()
    elapsed = time.perf_counter() - started
    results = [item for part, _errors in collected for item in part]
    latencies = sorted(latency for latency, _status, _bytes in results)

    def percentile(share: float) -> int:
        if not latencies:
            return 0
        return int(latencies[min(len(latencies) - 1, int(share * len(latencies)))] * 1e6)

    return {
        "requests": len(results), "duration_us": int(elapsed * 1e6),
        "bytes": sum(size for _latency, _status, size in results),
        "connect_errors": sum(errors["connect_errors"] for _part, errors in collected),
        "read_errors": sum(errors["read_errors"] for _part, errors in collected),
        "write_errors": 0, "timeouts": 0,
        "status_errors": sum(1 for _latency, status, _bytes in results if status > 399),
        "p50_us": percentile(0.50), "p90_us": percentile(0.90), "p99_us": percentile(0.99),
        "max_us": int(latencies[-1] * 1e6) if latencies else 0,
        "mean_us": sum(latencies) / len(latencies) * 1e6 if latencies else 0.0,
    }
