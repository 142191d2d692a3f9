"""Latency at a constant request rate, as wrk2 measures it (wrk has no such mode).

Each of `clients` clients sends one request at a time on a fixed schedule (together `rate`
per second, evenly spread); one whose previous answer came late sends the next at once. A
request's latency runs from when it was due, not from when it went out, so a server that
falls behind shows the wait its clients would see (no "coordinated omission"). One asyncio loop in a
process of its own sends everything: at a few hundred requests per second it needs a small
share of one core.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import secrets
import time
from urllib.parse import urlsplit


def run(url: str, rate: float, seconds: float, clients: int = 32, body: bytes | None = None,
        cookie: str | None = None, accept_encoding: str | None = None) -> dict:
    """p50/p90/p99/max latency (ms) of requests sent at `rate` per second for `seconds`."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child, args=(queue, url, rate, seconds, clients, body,
                                                 cookie, accept_encoding))
    child.start()
    figures = queue.get()
    child.join()
    return figures


def _child(queue, *args) -> None:
    queue.put(asyncio.run(_load(*args)))


async def _load(url: str, rate: float, seconds: float, clients: int, body: bytes | None,
                cookie: str | None, accept_encoding: str | None) -> dict:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = [f"Host: {parts.hostname}:{parts.port}", "Connection: close"]
    if cookie:
        headers.append(f"Cookie: {cookie}")
    if accept_encoding:
        headers.append(f"Accept-Encoding: {accept_encoding}")
    interval = clients / rate  # each client's time between requests
    started = time.perf_counter() + 0.05
    latencies: list[float] = []
    failures = {"errors": 0, "status_errors": 0}

    async def one(due: float) -> None:
        if body is None:
            request = f"GET {target} HTTP/1.1\r\n" + "\r\n".join(headers) + "\r\n\r\n"
            payload = request.encode()
        else:
            data = body.replace(b"SUBMISSION_KEY", secrets.token_urlsafe(24).encode())
            request = (f"POST {target} HTTP/1.1\r\n" + "\r\n".join(headers)
                       + "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                       f"Content-Length: {len(data)}\r\n\r\n")
            payload = request.encode() + data
        try:
            reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
            writer.write(payload)
            await writer.drain()
            answer = await reader.read()  # the server closes the connection when done
            writer.close()
        except OSError:
            failures["errors"] += 1
            return
        latencies.append(time.perf_counter() - due)
        status = int(answer[9:12] or 0)
        if status >= 400 or status == 0:
            failures["status_errors"] += 1

    async def client(number: int) -> None:
        due = started + interval * number / clients
        while due < started + seconds:
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            await one(due)  # one request at a time; a late one goes at once, timed from due
            due += interval

    await asyncio.gather(*(client(number) for number in range(clients)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)

    def percentile(share: float) -> float:
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return {"rate": rate, "clients": clients, "seconds": seconds,
            "requests": len(ordered), "achieved_rps": len(ordered) / elapsed,
            "p50_ms": percentile(0.50), "p90_ms": percentile(0.90),
            "p99_ms": percentile(0.99), "max_ms": ordered[-1] * 1000 if ordered else 0.0,
            **failures}
