"""Load runs: wrk (or, without it, bench/loadgen.py) against one address for a while."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from pathlib import Path

from . import loadgen

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk.lua"
THREADS, CONNECTIONS = 2, 16
#: Sent with every request, as Chromium sends it: the app gzips the empty questionnaire.
ACCEPT_ENCODING = "gzip, deflate, br"


def wrk_path() -> str | None:
    return shutil.which("wrk")


def load(url: str, seconds: float, body_file: Path | None = None,
         cookie: str | None = None, connections: int = CONNECTIONS,
         rate: float | None = None) -> dict:
    """One load run: requests/s, latency percentiles (ms), errors. With `rate`, requests go
    out at that constant rate (bench/wrk.lua), and how late the schedule ran is reported."""
    if rate is not None and not wrk_path():
        return _constant_rate_in_python(url, seconds, body_file, cookie, connections, rate)
    if wrk_path():
        command = [wrk_path(), f"-t{THREADS}", f"-c{connections}", f"-d{seconds:g}s",
                   "--timeout", "10s", "-s", str(WRK_SCRIPT),
                   "-H", f"Accept-Encoding: {ACCEPT_ENCODING}"]
        if cookie:
            command += ["-H", f"Cookie: {cookie}"]
        env = {**os.environ, "BENCH_RUN_ID": secrets.token_hex(6),
               "BENCH_THREADS": str(THREADS)}
        if rate is not None:
            env["BENCH_RATE"] = f"{rate:.3f}"
        if body_file:
            env["BENCH_BODY_FILE"] = str(body_file)
        done = subprocess.run([*command, url], capture_output=True, text=True, env=env,
                              check=True)
        line = next((line for line in done.stdout.splitlines()
                     if line.startswith("BENCH_JSON ")), None)
        if line is None:
            raise RuntimeError(f"wrk printed no figures:\n{done.stdout}\n{done.stderr}")
        figures = json.loads(line.removeprefix("BENCH_JSON "))
    else:
        body = body_file.read_bytes() if body_file else None
        figures = loadgen.run(url, seconds, connections, THREADS, body=body, cookie=cookie,
                              accept_encoding=ACCEPT_ENCODING)
    seconds_run = figures["duration_us"] / 1e6
    errors = sum(figures[key] for key in ("connect_errors", "read_errors", "write_errors",
                                          "status_errors", "timeouts"))
    found = {"rps": figures["requests"] / seconds_run if seconds_run else 0.0,
             "p50_ms": figures["p50_us"] / 1000, "p99_ms": figures["p99_us"] / 1000,
             "max_ms": figures["max_us"] / 1000,
             "requests": figures["requests"], "errors": errors,
             "status_errors": figures["status_errors"],
             "bytes_per_request": figures["bytes"] / max(figures["requests"], 1)}
    if rate is not None:
        found.update(rate=rate, clients=connections, seconds=seconds,
                     achieved_rps=found["rps"], late_sends=figures["late_sends"],
                     sends=figures["sends"], late_max_ms=figures["late_max_ms"],
                     late_p99_ms=figures["late_p99_ms"],
                     generator="wrk at a constant rate (bench/wrk.lua)")
    return found


def _constant_rate_in_python(url, seconds, body_file, cookie, connections, rate) -> dict:
    from . import constant_rate

    figures = constant_rate.run(url, rate, seconds, connections,
                                body=body_file.read_bytes() if body_file else None,
                                cookie=cookie, accept_encoding=ACCEPT_ENCODING)
    return {**figures, "rps": figures["achieved_rps"], "late_p99_ms": 0.0,
            "generator": "Python at a constant rate (bench/constant_rate.py), latency from "
                         "when each request was due"}
