"""Run the whole assistant on one machine: action server, Rasa server, gateway.

``make run`` calls ``python -m bot.stack``. It starts the three processes,
waits until they are healthy, prints where to go, and stops them all cleanly
on Ctrl-C or SIGTERM (and when any of them dies).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from pes.settings import Settings, SettingsError, settings

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class Service:
    name: str
    argv: list[str]
    health_url: str
    process: subprocess.Popen[bytes] | None = None


def services(config: Settings) -> list[Service]:
    rasa, actions, gateway = config.rasa, config.actions, config.gateway
    rasa_cmd = [
        str(BIN / "rasa"), "run",
        "--model", config.stack.rasa_model,
        "--interface", rasa.host,
        "--port", str(rasa.port),
        "--credentials", "credentials.yml",
        "--endpoints", "endpoints.yml",
    ]  # fmt: skip
    if config.rasa_auth_token:
        rasa_cmd += ["--enable-api", "--auth-token", config.rasa_auth_token]
    # JSON log lines without message text (common/logs.py), as the gateway's LOG_FORMAT.
    logging_args = (
        ["--logging-config-file", "common/logging.yml"] if config.log_format == "json" else []
    )
    rasa_cmd += logging_args
    return [
        Service(
            "actions",
            # `rasa run actions`, bound to ACTION_HOST and without echoing trackers on errors
            # rasa-sdk's own parser spells this option --logging-config_file
            [
                sys.executable,
                "-m",
                "actions",
                "--port",
                str(actions.port),
                *[a.replace("config-file", "config_file") for a in logging_args],
            ],
            f"http://{actions.host}:{actions.port}/health",
        ),
        Service("rasa", rasa_cmd, f"http://{rasa.host}:{rasa.port}/"),
        Service(
            "gateway",
            [sys.executable, "-m", "bot"],
            f"http://{gateway.gateway_host}:{gateway.gateway_port}/healthz",
        ),
    ]


def _relay(name: str, stream: object) -> None:
    for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
        sys.stdout.write(f"[{name}] {raw.decode(errors='replace')}")
        sys.stdout.flush()


def healthy(url: str) -> bool:
    """The health URL answers 200 (a process of the stack is up)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback URL)
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


class Stack:
    def __init__(self, env: dict[str, str], config: Settings) -> None:
        self.env = env  # the children's environment: they read their own settings from it
        self.services = services(config)
        self.startup_timeout = config.stack.startup_timeout
        self.stopping = threading.Event()

    def start(self) -> None:
        for service in self.services:
            service.process = subprocess.Popen(  # noqa: S603 (our own fixed commands)
                service.argv, cwd=ROOT, env=self.env,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
            threading.Thread(
                target=_relay, args=(service.name, service.process.stdout), daemon=True
            ).start()

    def dead(self) -> Service | None:
        return next((s for s in self.services if s.process and s.process.poll() is not None), None)

    def wait_healthy(self) -> bool:
        deadline = time.monotonic() + self.startup_timeout
        pending = list(self.services)
        while pending and time.monotonic() < deadline and not self.stopping.is_set():
            if self.dead():
                return False
            pending = [s for s in pending if not healthy(s.health_url)]
            time.sleep(1)
        return not pending

    def stop(self) -> None:
        self.stopping.set()
        running = [s for s in self.services if s.process]
        killed = stop_process_groups([s.process for s in running if s.process], grace=15)
        for service in running:
            if service.process in killed:
                print(f"stack: {service.name} did not stop within 15 s; killed", flush=True)


def stop_process_groups(
    processes: list[subprocess.Popen[Any]], grace: float
) -> list[subprocess.Popen[Any]]:
    """SIGTERM each process's group (the last started first), then SIGKILL the groups
    still there after ``grace`` seconds; returns, when all have ended, those killed."""
    for process in reversed(processes):
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    killed = []
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            killed.append(process)
    return killed


def main() -> int:
    env = dict(os.environ)
    try:
        config = settings()
        stack = Stack(env, config)
    except SettingsError as exc:
        print(f"stack: {exc}", file=sys.stderr)
        return 2

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stack.stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    if not config.production:
        # DEMO appointment slots when there are none (never in production): pes/appointments/
        cmd = [sys.executable, "-m", "pes.appointments", "seed-demo"]
        subprocess.run(cmd, cwd=ROOT, env=env, check=False)  # noqa: S603 (our own fixed command)
    print("stack: starting the action server, the Rasa server and the gateway …", flush=True)
    stack.start()
    code = 0
    if stack.wait_healthy():
        gateway = f"http://{config.gateway.gateway_host}:{config.gateway.gateway_port}"
        rasa, actions = config.rasa, config.actions
        print(
            "\n"
            f"  The assistant is running.\n"
            f"  Demo page with the chat:  {gateway}/\n"
            f"  Health:                   {gateway}/healthz\n"
            f"  Rasa server:              http://{rasa.host}:{rasa.port}\n"
            f"  Action server:            http://{actions.host}:{actions.port}\n"
            f"  Stop with Ctrl-C.\n",
            flush=True,
        )
        while not stack.stopping.is_set():
            failed = stack.dead()
            if failed:
                print(f"stack: {failed.name} stopped unexpectedly; stopping the rest", flush=True)
                code = 1
                break
            stack.stopping.wait(1)
    elif not stack.stopping.is_set():
        failed = stack.dead()
        reason = f"{failed.name} exited" if failed else "not healthy in time"
        print(f"stack: start-up failed ({reason}); stopping", flush=True)
        code = 1
    stack.stop()
    print("stack: stopped", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
