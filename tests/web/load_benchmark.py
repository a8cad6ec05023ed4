"""Latency and load benchmark of the playground server (not a test: run it by hand).

    .venv/bin/python tests/web/load_benchmark.py [--seconds 30] [--clients 16] [--json FILE]

It starts `gdlab.web.serve` on a free loopback port in a child process, then measures:

1. cold latency: one client, 6 optimizers × 500 steps on Rosenbrock from a new random start
   each time (nothing can come from the run cache);
2. slider latency: one client, the same request with one optimizer's learning rate changed
   each time (what dragging a slider sends: five runs come from the cache);
3. load: `clients` threads posting cold 6 × 500 runs for `seconds` seconds; every answer must be
   a 200 with six runs, none of them cut short by the time budget.

Latencies are wall-clock, client side (request, compute, JSON both ways).
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import httpx
import numpy as np

OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam", "adagrad", "nadam")
RATES = {"sgd": 0.002, "momentum": 0.01, "rmsprop": 0.01, "adam": 0.1, "adagrad": 0.5,
         "nadam": 0.05}  # fmt: skip


def body(start: list[float], adam_rate: float = 0.1) -> dict[str, Any]:
    rates = {**RATES, "adam": adam_rate}
    return {
        "problem": {"name": "rosenbrock"},
        "start": start,
        "steps": 500,
        "optimizers": [{"name": n, "hyperparams": {"learning_rate": rates[n]}} for n in OPTIMIZERS],
    }


def percentiles(seconds: list[float]) -> dict[str, float]:
    ms = np.asarray(seconds) * 1e3
    return {
        "n": len(ms),
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "max_ms": round(float(ms.max()), 1),
    }


def timed(client: httpx.Client, url: str, payload: dict[str, Any]) -> float:
    began = time.perf_counter()
    response = client.post(f"{url}/api/run", json=payload)
    spent = time.perf_counter() - began
    if response.status_code != 200 or len(response.json()["runs"]) != len(OPTIMIZERS):
        raise RuntimeError(f"bad answer {response.status_code}: {response.text[:200]}")
    stopped = [run["label"] for run in response.json()["runs"] if run["status"] == "stopped"]
    if stopped:
        raise RuntimeError(f"runs cut short by the time budget: {stopped}")
    return spent


def single(url: str, count: int, rng: np.random.Generator) -> dict[str, Any]:
    with httpx.Client(timeout=30) as client:
        for _ in range(5):  # warm-up
            timed(client, url, body(rng.uniform([-2, -1], [2, 3]).tolist()))
        cold = [timed(client, url, body(rng.uniform([-2, -1], [2, 3]).tolist()))
                for _ in range(count)]  # fmt: skip
        start = [-1.2, 1.0]
        slider = [timed(client, url, body(start, float(rate)))
                  for rate in np.geomspace(0.01, 0.3, count)]  # fmt: skip
    return {"cold": percentiles(cold), "slider": percentiles(slider)}


def load(url: str, clients: int, seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(seed: int) -> None:
        rng = np.random.default_rng(seed)
        with httpx.Client(timeout=60) as client:
            while time.perf_counter() < stop:
                try:
                    spent = timed(client, url, body(rng.uniform([-2, -1], [2, 3]).tolist()))
                    with lock:
                        latencies.append(spent)
                except Exception as error:  # counted, not raised: the load goes on
                    with lock:
                        errors.append(repr(error)[:200])

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    return {
        "clients": clients,
        "seconds": round(wall, 1),
        "requests": len(latencies),
        "errors": len(errors),
        "first_errors": errors[:3],
        "requests_per_s": round(len(latencies) / wall, 1),
        **percentiles(latencies or [0.0]),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--json", default=None)
    options = parser.parse_args()
    port = free_port()
    code = f"from gdlab.web import serve; serve('127.0.0.1', {port})"
    server = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{url}/api/catalog", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        rng = np.random.default_rng(0)
        report = {"single": single(url, options.count, rng),
                  "load": load(url, options.clients, options.seconds)}  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=10)
    text = json.dumps(report, indent=2)
    print(text)
    if options.json:
        with open(options.json, "w", encoding="utf-8") as stream:
            stream.write(text + "\n")


if __name__ == "__main__":
    main()
