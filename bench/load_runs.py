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
         cookie: str | None = None) -> dict:
    """One load run: requests/s, latency percentiles (ms), errors."""
    if wrk_path():
        command = [wrk_path(), f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds:g}s",
                   "--timeout", "10s", "-s", str(WRK_SCRIPT),
                   "-H", f"Accept-Encoding: {ACCEPT_ENCODING}"]
        if cookie:
            command += ["-H", f"Cookie: {cookie}"]
        env = {**os.environ, "BENCH_RUN_ID": secrets.token_hex(6)}
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
        figures = loadgen.run(url, seconds, CONNECTIONS, THREADS, body=body, cookie=cookie,
                              accept_encoding=ACCEPT_ENCODING)
    seconds_run = figures["duration_us"] / 1e6
    errors = sum(figures[key] for key in ("connect_errors", "read_errors", "write_errors",
                                          "status_errors", "timeouts"))
    return {"rps": figures["requests"] / seconds_run if seconds_run else 0.0,
            "p50_ms": figures["p50_us"] / 1000, "p99_ms": figures["p99_us"] / 1000,
            "requests": figures["requests"], "errors": errors,
            "status_errors": figures["status_errors"],
            "bytes_per_request": figures["bytes"] / max(figures["requests"], 1)}
