"""Start and stop a gunicorn serving Guild on a scratch database, for benchmarks."""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def scratch_env(database_url: str | None = None) -> dict[str, str]:
    """Environment for a Guild process on its own database and secret."""
    folder = Path(tempfile.mkdtemp(prefix="guild-bench-"))
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    env["GUILD_SECRET_KEY"] = "benchmark-secret"
    env["GUILD_UPLOAD_FOLDER"] = str(folder / "uploads")
    env.pop("REDIS_URL", None)
    return env


def flask(env: dict[str, str], *args: str) -> str:
    """Run a `flask --app guild` command and return its output."""
    command = [str(BIN / "flask"), "--app", "guild", *args]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout


DEFAULT_APP = "guild:create_app()"


def start_gunicorn(
    env: dict[str, str],
    workers: int = 2,
    app: str = DEFAULT_APP,
    pythonpath: str | None = None,
    port: int | None = None,
    new_group: bool = False,
) -> tuple[subprocess.Popen, str]:
    """Start gunicorn sync workers serving `app` and wait until it answers.

    Returns the master process and the base URL. `pythonpath` is added to the import path
    (e.g. tests/benchmarks for bench_app:app); `new_group` puts the master and its workers
    in a process group of their own, so a test can SIGKILL them all at once.
    """
    port = port or free_port()
    command = [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    if pythonpath:
        command += ["--pythonpath", pythonpath]
    command += ["--log-level", "warning", app]
    process = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=new_group)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/ping")
    except BaseException:
        process.kill()
        process.wait(timeout=30)
        raise
    return process, base


@contextmanager
def gunicorn(
    env: dict[str, str],
    workers: int = 2,
    app: str = DEFAULT_APP,
    pythonpath: str | None = None,
):
    """Serve the app with gunicorn sync workers; yield the base URL."""
    with serving(env, workers, app, pythonpath) as (_process, base):
        yield base


@contextmanager
def serving(
    env: dict[str, str],
    workers: int = 2,
    app: str = DEFAULT_APP,
    pythonpath: str | None = None,
):
    """Serve the app with gunicorn sync workers; yield the master process and base URL."""
    process, base = start_gunicorn(env, workers, app, pythonpath)
    try:
        yield process, base
    finally:
        process.terminate()
        process.wait(timeout=30)


def children(pid: int) -> list[int]:
    """The ids of a process's direct children (gunicorn's workers), read from /proc."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - loopback only
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer at {url}")


def signed_in_cookie(base: str, phone: str, password: str) -> str:
    """Sign in through the real login form (CSRF included); return the Cookie header."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/account/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    if token is None:
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    form = {"csrf_token": token.group(1), "phone": phone, "password": password}
    opener.open(base + "/account/login", urllib.parse.urlencode(form).encode())
    cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)
    probe = urllib.request.Request(base + "/account/profile", headers={"Cookie": cookies})  # noqa: S310
    with urllib.request.urlopen(probe) as response:  # noqa: S310 - loopback only
        if "/account/login" in response.geturl():  # sent to sign in: the login failed
            raise RuntimeError("could not sign in")
    return cookies


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU seconds the processes used so far (exited ones count 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICKS


def postgres_backends(database: str) -> list[int]:
    """The PostgreSQL server processes serving connections to a database, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, UnicodeDecodeError):
            continue
        # A backend's process title: "postgres: <cluster>: <user> <database> <client> …"
        if title.startswith("postgres:") and f" {database} " in title:
            found.append(int(entry.name))
    return found
