"""Requests/s under gunicorn (2 sync workers, wrk on loopback): pages against a bare endpoint.

Run: make bench   (or: .venv/bin/python tests/benchmarks/http_throughput.py [--seconds 10])
Target (issue 2): the signed-in page at >= 0.5 of the bare endpoint, measured in the same run.
"""

import argparse
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import flask, gunicorn, scratch_env, signed_in_cookie

PHONE, PASSWORD = "13800000001", None


def wrk(url: str, seconds: int, cookie: str | None = None) -> float:
    """Requests per second that wrk measured for one URL."""
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per URL")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    env = scratch_env()
    flask(env, "db", "upgrade")
    accounts = flask(env, "demo", "load")
    password = re.search(rf"{PHONE}\s+(\S+)", accounts).group(1)
    with gunicorn(env) as base:
        cookie = signed_in_cookie(base, PHONE, password)
        targets = {
            "bare /ping": (base + "/ping", None),
            "home page, visitor": (base + "/", None),
            "home page, signed in": (base + "/", cookie),
            "enterprise list (sign-in only)": (base + "/enterprises/", cookie),
            "profile form, signed in": (base + "/account/profile", cookie),
        }
        for url, sent in targets.values():  # warm up every worker
            wrk(url, 1, sent)
        figures: dict[str, list[float]] = {name: [] for name in targets}
        for _ in range(args.rounds):
            for name, (url, sent) in targets.items():
                figures[name].append(wrk(url, args.seconds, sent))
    report(figures, args)


def report(figures: dict[str, list[float]], args) -> None:
    """Print each endpoint's median rate and its ratio to the bare endpoint.

    The ratio is taken round by round (each page against the bare run just before it) and
    its median reported: this machine's speed drifts between rounds, the pairing cancels it.
    """
    bare = figures["bare /ping"]
    print(f"gunicorn 2 sync workers, wrk -t2 -c8, {args.rounds} rounds x {args.seconds}s, SQLite")
    print(f"{'endpoint':<32}{'req/s (median)':>16}{'ratio to bare':>16}")
    for name, values in figures.items():
        ratio = statistics.median(value / base for value, base in zip(values, bare, strict=True))
        print(f"{name:<32}{statistics.median(values):>16.0f}{ratio:>16.2f}")


if __name__ == "__main__":
    main()
