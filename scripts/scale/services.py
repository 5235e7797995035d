"""PostgreSQL and Redis on loopback, for the scale test and the bench.

    python -m scripts.scale.services start   # prints DATABASE_URL and REDIS_URL
    python -m scripts.scale.services stop

Both servers come from Debian's packages (``postgresql``, ``redis-server``),
installed non-interactively when missing (root only). PostgreSQL refuses to run
as root, so as root it runs as the ``postgres`` system user the package
creates. Each start is a fresh, empty pair on free ports with a new random
password; nothing listens beyond 127.0.0.1. PostgreSQL's files live under the
system's temporary folder (:func:`pg_dir`), Redis's and the settings
(``state.json``, ``env``) in the state folder (``var/scale/`` by default).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATE_DIR = ROOT / "var" / "scale"
DB_NAME = "pes"
DB_USER = "pes"


class ServiceError(RuntimeError):
    """A server could not be installed, started or stopped; the message says why."""


@dataclass(frozen=True)
class Services:
    database_url: str
    redis_url: str
    pg_port: int
    redis_port: int
    pg_bin: str
    state_dir: str
    pg_dir: str = ""

    def env(self) -> dict[str, str]:
        return {"DATABASE_URL": self.database_url, "REDIS_URL": self.redis_url}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin() -> Path | None:
    """The newest PostgreSQL server binaries on this machine."""
    found = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    found = [p for p in found if (p / "postgres").exists() and (p / "pg_ctl").exists()]
    return max(found, key=lambda p: int(p.parent.name), default=None)


def _redis_bin() -> str | None:
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )


def pg_dir(state_dir: Path) -> Path:
    """Where PostgreSQL's files go: under the system's temporary folder, which the
    ``postgres`` user can reach wherever the checkout is (a root-only home, say)."""
    digest = hashlib.sha1(str(state_dir.resolve()).encode()).hexdigest()[:10]  # noqa: S324
    return Path(tempfile.gettempdir()) / f"pes-scale-{digest}"


def _apt_install(packages: list[str]) -> None:
    if os.geteuid() != 0:
        raise ServiceError(
            f"{', '.join(packages)} not installed; run as root or `apt-get install {' '.join(packages)}`"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", "RUNLEVEL": "1"}
    command = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]
    print(f"scale: installing {' '.join(packages)} from Debian's packages", flush=True)
    if subprocess.run(command, env=env, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, check=False)
        if subprocess.run(command, env=env, check=False).returncode != 0:
            raise ServiceError(f"apt-get install {' '.join(packages)} failed")


def ensure_installed() -> tuple[Path, str]:
    """PostgreSQL's bin directory and redis-server, installing what is missing."""
    missing = []
    if _pg_bin() is None or (os.geteuid() == 0 and not _has_user("postgres")):
        missing.append("postgresql")
    if _redis_bin() is None:
        missing.append("redis-server")
    if missing:
        _apt_install(missing)
    pg_bin, redis = _pg_bin(), _redis_bin()
    if pg_bin is None or redis is None:
        raise ServiceError("PostgreSQL or Redis still missing after installing them")
    return pg_bin, redis


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _as_postgres() -> tuple[list[str], pwd.struct_passwd | None]:
    """The command prefix that runs PostgreSQL's tools as a non-root user."""
    if os.geteuid() != 0:
        return [], None
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        raise ServiceError("no `postgres` user: install the postgresql package") from None
    return ["runuser", "-u", "postgres", "--"], user


def _run(command: list[str], what: str, env: dict[str, str] | None = None) -> None:
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise ServiceError(f"{what} failed: {(result.stderr or result.stdout).strip()[-600:]}")


def _state_file(state_dir: Path) -> Path:
    return state_dir / "state.json"


def _wait_port(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.2)
    raise ServiceError(f"nothing answered on 127.0.0.1:{port} after {seconds:.0f} s")


def start(state_dir: Path = STATE_DIR) -> Services:
    """A fresh, empty PostgreSQL database and Redis server on loopback."""
    pg_bin, redis = ensure_installed()
    state_dir = state_dir.resolve()
    stop(state_dir)
    pg_home = pg_dir(state_dir)
    shutil.rmtree(pg_home, ignore_errors=True)
    shutil.rmtree(state_dir / "redis", ignore_errors=True)
    state_dir.mkdir(parents=True, exist_ok=True)
    password = secrets.token_hex(16)
    prefix, user = _as_postgres()
    pgdata, rundir, pwfile = pg_home / "pg", pg_home / "run", pg_home / "run" / "pw"
    pg_home.mkdir(mode=0o755)
    for path in (pgdata, rundir):
        path.mkdir(mode=0o700)
        if user is not None:
            os.chown(path, user.pw_uid, user.pw_gid)
    pwfile.write_text(password)
    pwfile.chmod(0o600)
    if user is not None:
        os.chown(pwfile, user.pw_uid, user.pw_gid)
    _run(
        [*prefix, str(pg_bin / "initdb"), "-D", str(pgdata), "-U", DB_USER,
         f"--pwfile={pwfile}", "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale"],
        "initdb",
    )  # fmt: skip
    pwfile.unlink()
    pg_port, redis_port = free_port(), free_port()
    options = f"-c listen_addresses=127.0.0.1 -p {pg_port} -k {rundir} -c max_connections=200"
    _run(
        [*prefix, str(pg_bin / "pg_ctl"), "-D", str(pgdata), "-l", str(rundir / "postgres.log"),
         "-w", "-t", "60", "-o", options, "start"],
        "pg_ctl start",
    )  # fmt: skip
    services = Services(
        database_url=f"postgresql://{DB_USER}:{password}@127.0.0.1:{pg_port}/{DB_NAME}",
        redis_url=f"redis://:{password}@127.0.0.1:{redis_port}/0",
        pg_port=pg_port,
        redis_port=redis_port,
        pg_bin=str(pg_bin),
        state_dir=str(state_dir),
        pg_dir=str(pg_home),
    )
    _state_file(state_dir).write_text(json.dumps(asdict(services)))
    _state_file(state_dir).chmod(0o600)
    _run(
        [str(pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(pg_port), "-U", DB_USER, DB_NAME],
        "createdb",
        env={**os.environ, "PGPASSWORD": password},
    )
    (state_dir / "redis").mkdir()
    _run(
        [redis, "--bind", "127.0.0.1", "--port", str(redis_port), "--requirepass", password,
         "--save", "", "--appendonly", "no", "--daemonize", "yes",
         "--pidfile", str(state_dir / "redis" / "redis.pid"),
         "--logfile", str(state_dir / "redis" / "redis.log"), "--dir", str(state_dir / "redis")],
        "redis-server",
    )  # fmt: skip
    _wait_port(redis_port, 20)
    (state_dir / "env").write_text(
        "".join(f"export {k}='{v}'\n" for k, v in services.env().items())
    )
    return services


def stop(state_dir: Path = STATE_DIR) -> None:
    """Stop the pair started from ``state_dir`` (nothing else); no error if none runs."""
    state_dir = state_dir.resolve()
    state = _state_file(state_dir)
    if not state.exists():
        return
    info = json.loads(state.read_text())
    pgdata = Path(info.get("pg_dir") or pg_dir(state_dir)) / "pg"
    if (pgdata / "postmaster.pid").exists():
        prefix, _ = _as_postgres()
        subprocess.run(
            [*prefix, str(Path(info["pg_bin"]) / "pg_ctl"), "-D", str(pgdata), "-m", "fast",
             "-w", "-t", "30", "stop"],
            capture_output=True, check=False,
        )  # fmt: skip
    pidfile = state_dir / "redis" / "redis.pid"
    if pidfile.exists():
        with contextlib.suppress(ValueError, ProcessLookupError):
            pid = int(pidfile.read_text().strip())
            os.kill(pid, signal.SIGTERM)
            for _ in range(50):
                os.kill(pid, 0)
                time.sleep(0.1)
    state.unlink(missing_ok=True)
    (state_dir / "env").unlink(missing_ok=True)
    shutil.rmtree(pgdata.parent, ignore_errors=True)


def current(state_dir: Path = STATE_DIR) -> Services | None:
    """The running pair's settings, if ``start`` left one."""
    state = _state_file(state_dir)
    return Services(**json.loads(state.read_text())) if state.exists() else None


@contextlib.contextmanager
def running(state_dir: Path = STATE_DIR) -> Iterator[Services]:
    services = start(state_dir)
    try:
        yield services
    finally:
        stop(state_dir)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    try:
        if command == "install":
            ensure_installed()
        elif command == "start":
            services = start()
            print(f"DATABASE_URL={services.database_url}\nREDIS_URL={services.redis_url}")
            print(
                f"(also in {STATE_DIR / 'env'}; stop with `python -m scripts.scale.services stop`)"
            )
        elif command == "stop":
            stop()
        else:
            print("usage: python -m scripts.scale.services install|start|stop", file=sys.stderr)
            return 2
    except ServiceError as exc:
        print(f"scale: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
