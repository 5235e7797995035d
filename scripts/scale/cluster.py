"""Start several Rasa replicas, action servers and the gateway on loopback, as in production.

Used by the scale test (``tests/scale/``) and the bench (``scripts/bench.py``).
Every process gets its own free port, its own process group and a log file
under ``log_dir``; the Rasa replicas and the gateway share the PostgreSQL
database and the Redis lock store named in ``env`` (``DATABASE_URL``,
``REDIS_URL``). The model is copied first, so a new training run replacing
``models/current.tar.gz`` cannot change it under a running replica.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.stack import healthy, stop_process_groups
from scripts.scale.services import ROOT, free_port

BIN = Path(sys.executable).parent


class ClusterError(RuntimeError):
    """A process did not start or died; the message has the end of its log."""


@dataclass
class Proc:
    name: str
    argv: list[str]
    health_url: str
    log: Path
    env: dict[str, str]
    popen: subprocess.Popen[bytes] | None = None

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Cluster:
    """``replicas`` Rasa servers, ``action_servers`` action servers and one gateway."""

    env: dict[str, str]
    log_dir: Path
    replicas: int = 2
    action_servers: int = 1
    model: Path = ROOT / "models" / "current.tar.gz"
    json_logs: bool = True
    rasa_token: str | None = None
    gateway: bool = True
    procs: list[Proc] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        model = self.log_dir / "model.tar.gz"
        shutil.copyfile(self.model, model)
        logging_args = ["--logging-config-file", "common/logging.yml"] if self.json_logs else []
        base = {
            **os.environ,
            **self.env,
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "OMP_WAIT_POLICY": "PASSIVE",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "LOG_FORMAT": "json" if self.json_logs else "text",
            "PYTHONWARNINGS": "ignore::DeprecationWarning",
        }
        action_ports = [free_port() for _ in range(self.action_servers)]
        for i, port in enumerate(action_ports):
            self.procs.append(
                Proc(
                    f"actions{i}",
                    [sys.executable, "-m", "actions", "--port", str(port),
                     *[a.replace("config-file", "config_file") for a in logging_args]],
                    f"http://127.0.0.1:{port}/health",
                    self.log_dir / f"actions{i}.log",
                    {**base, "ACTION_HOST": "127.0.0.1"},
                )
            )  # fmt: skip
        self.rasa_urls: list[str] = []
        for i in range(self.replicas):
            port = free_port()
            argv = [
                str(BIN / "rasa"), "run", "--model", str(model),
                "--interface", "127.0.0.1", "--port", str(port),
                "--credentials", "credentials.yml", "--endpoints", "endpoints.yml",
                *logging_args,
            ]  # fmt: skip
            if self.rasa_token:
                argv += ["--enable-api", "--auth-token", self.rasa_token]
            action_port = action_ports[i % len(action_ports)]
            env = {**base, "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook"}
            url = f"http://127.0.0.1:{port}"
            self.rasa_urls.append(url)
            self.procs.append(Proc(f"rasa{i}", argv, url + "/", self.log_dir / f"rasa{i}.log", env))
        self.gateway_port = free_port()
        if self.gateway:
            env = {
                **base,
                "RASA_URLS": ",".join(self.rasa_urls),
                "GATEWAY_HOST": "127.0.0.1",
                "GATEWAY_PORT": str(self.gateway_port),
                "ACTION_HOST": "127.0.0.1",
                "ACTION_PORT": str(action_ports[0]),
            }
            self.procs.append(
                Proc(
                    "gateway",
                    [sys.executable, "-m", "bot"],
                    f"http://127.0.0.1:{self.gateway_port}/readyz",
                    self.log_dir / "gateway.log",
                    env,
                )
            )

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    def proc(self, name: str) -> Proc:
        return next(p for p in self.procs if p.name == name)

    def start(self) -> None:
        for proc in self.procs:
            with proc.log.open("wb") as log:
                proc.popen = subprocess.Popen(
                    proc.argv, cwd=ROOT, env=proc.env, stdout=log, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, start_new_session=True,
                )  # fmt: skip

    def wait_healthy(self, timeout: float = 300.0) -> float:
        """Seconds until every process answered its health URL."""
        started = time.monotonic()
        pending = list(self.procs)
        while pending:
            for proc in pending:
                if not proc.alive():
                    raise ClusterError(f"{proc.name} exited during start-up:\n{proc.tail()}")
            pending = [p for p in pending if not healthy(p.health_url)]
            if time.monotonic() - started > timeout:
                names = ", ".join(p.name for p in pending)
                raise ClusterError(f"not healthy after {timeout:.0f} s: {names}")
            time.sleep(1)
        return time.monotonic() - started

    def kill(self, name: str) -> None:
        """SIGKILL one process group, as a crash or an OOM kill would."""
        proc = self.proc(name)
        if proc.popen is not None and proc.alive():
            os.killpg(proc.popen.pid, signal.SIGKILL)
            proc.popen.wait()

    def pids(self) -> dict[str, int]:
        return {p.name: p.popen.pid for p in self.procs if p.popen is not None and p.alive()}

    def stop(self) -> None:
        stop_process_groups([p.popen for p in self.procs if p.popen is not None], grace=20)


def process_tree(pids: list[int]) -> set[int]:
    """These processes and all their descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    seen: set[int] = set()
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid not in seen:
            seen.add(pid)
            todo.extend(children.get(pid, []))
    return seen


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) used so far by these process trees, reaped children included."""
    ticks = 0
    for pid in process_tree(pids):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_bytes(pids: list[int], field: str = "VmRSS") -> int:
    """Resident memory of these processes and all their descendants (Linux /proc).

    ``VmRSS`` counts pages shared between processes (libraries, PostgreSQL's
    shared buffers) once per process; ``Pss`` shares them out, so its sum is
    what the processes really hold together."""
    seen = process_tree(pids)
    total = 0
    source = "status" if field == "VmRSS" else "smaps_rollup"
    for pid in seen:
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/{source}").read_text().splitlines():
                if line.startswith(f"{field}:"):
                    total += int(line.split()[1]) * 1024
    return total
