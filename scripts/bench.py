"""Closed-loop load on the assistant and on a stock ``rasa init`` assistant, same machine, same run.

    make bench                                   # 20 users, 60 s each, both assistants
    python -m scripts.bench --users 20 --duration 60 --replicas 2 [--profile [PROCESS]]

Each simulated user sends a realistic message in one of the six core
languages, waits for the answer and sends the next at once (closed loop, no
think time). After eight messages a user starts a new conversation (a new
session), as people do, and stays under the gateway's per-sender flood limit.
Latency is measured per message from send to complete answer; throughput is
answered messages per second in the measuring window, after a warm-up.

Measured, one after the other:

``ours-gateway``
    the whole production layout: PostgreSQL and Redis on loopback, the action
    server(s), ``--replicas`` Rasa replicas and the gateway (``/api/chat``);
``ours-rest``
    the same Rasa replicas through Rasa's REST channel, users spread evenly;
``stock-rest``
    ``rasa init --no-prompt`` (moodbot: DIET, TED, UnexpecTED, in-memory tracker
    store), trained once on this machine under ``var/bench/stock``, run with
    ``rasa run`` and driven through its REST channel with the same messages.

Resident memory is the largest sum of RSS (and of PSS) seen over all the
stack's processes (PostgreSQL and Redis included), sampled every second; CPU is
each process group's user + system time over the measuring window, per answer.
Results go to ``var/bench/results.json`` (and ``--out``); ``--profile`` also
records one process (a Rasa replica unless named) with py-spy into
``var/bench/profile-*.txt`` (top functions by own time) and a folded-stack file.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import aiohttp

from scripts.scale import services
from scripts.scale.cluster import BIN, Cluster, Proc, cpu_seconds, rss_bytes
from scripts.scale.services import ROOT, free_port

BENCH = ROOT / "var" / "bench"
STOCK = BENCH / "stock"
TURNS_PER_CONVERSATION = 8

# What people write to a public employment service's assistant, in six languages.
MESSAGES: list[tuple[str, str]] = [
    ("en", "hi"),
    ("en", "hello, I need help finding a job"),
    ("en", "which programmes do you have for refugees?"),
    ("en", "tell me about on-the-job training"),
    ("en", "am I allowed to work while my asylum case is open?"),
    ("en", "where is your office in Maribor and when is it open?"),
    ("en", "how do I register as unemployed?"),
    ("en", "which papers do I need to bring?"),
    ("en", "thanks a lot"),
    ("en", "ok"),
    ("sl", "živjo"),
    ("sl", "katere programe imate za begunce?"),
    ("sl", "kje se lahko naučim slovensko?"),
    ("sl", "kako se prijavim na zavodu za zaposlovanje?"),
    ("sl", "kje je vaša pisarna v Celju?"),
    ("sl", "hvala lepa"),
    ("uk", "привіт"),
    ("uk", "чи можу я працювати в Словенії?"),
    ("uk", "які документи мені потрібні для реєстрації?"),
    ("uk", "як визнати мій диплом?"),
    ("uk", "розкажіть про навчання на робочому місці"),
    ("uk", "дякую"),
    ("ru", "здравствуйте"),
    ("ru", "какие программы есть для беженцев?"),
    ("ru", "могу ли я получить пособие по безработице?"),
    ("ru", "где ваш офис в Любляне?"),
    ("ru", "спасибо большое"),
    ("ar", "مرحبا"),
    ("ar", "هل يمكنني العمل أثناء طلب اللجوء؟"),
    ("ar", "ما هي البرامج المتاحة للاجئين؟"),
    ("ar", "أين يمكنني تعلم اللغة السلوفينية؟"),
    ("ar", "شكرا جزيلا"),
    ("fa", "سلام"),
    ("fa", "چطور می توانم کار پیدا کنم؟"),
    ("fa", "برای ثبت نام چه مدارکی لازم است؟"),
    ("fa", "دفتر شما در ماریبور کجاست؟"),
    ("fa", "ممنون"),
]


@dataclass
class Result:
    name: str
    users: int
    seconds: float
    answered: int
    errors: int
    throughput: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_rss_mb: float
    max_pss_mb: float
    processes: int
    cpu_ms_per_answer: dict[str, float] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


class MemorySampler:
    """The largest total RSS of some process trees, sampled every second in a thread."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.peak = 0
        self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes(self.pids))
            self.peak_pss = max(self.peak_pss, rss_bytes(self.pids, "Pss"))
            self._stop.wait(1.0)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


async def closed_loop(
    name: str, urls: list[str], kind: str, users: int, warmup: float, duration: float, seed: int
) -> tuple[list[float], int, int]:
    """(latencies in the window, answered, errors) of ``users`` closed-loop users."""
    start = time.monotonic()
    window = (start + warmup, start + warmup + duration)
    latencies: list[float] = []
    errors = 0
    answered = 0
    run = f"{seed:x}{int(time.time()) % 100000:05d}"

    async def user(session: aiohttp.ClientSession, n: int) -> None:
        nonlocal errors, answered
        rng = random.Random(seed * 1000 + n)  # noqa: S311 (load, not secrets)
        url = urls[n % len(urls)]
        conversation = 0
        while time.monotonic() < window[1]:
            conversation += 1
            sender = f"bench{run}u{n:03d}c{conversation:05d}"
            for _ in range(TURNS_PER_CONVERSATION):
                lang, text = rng.choice(MESSAGES)
                if kind == "gateway":
                    body: dict[str, Any] = {"session": sender, "message": text, "lang": lang}
                else:
                    body = {
                        "sender": sender,
                        "message": text,
                        "metadata": {"channel": "web", "language": lang},
                    }
                sent = time.monotonic()
                ok = False
                try:
                    async with session.post(url, json=body) as response:
                        data = await response.json(content_type=None)
                        ok = response.status == 200 and isinstance(data, (list, dict))
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                    ok = False
                done = time.monotonic()
                if window[0] <= done <= window[1]:
                    if ok:
                        latencies.append(done - sent)
                        answered += 1
                    else:
                        errors += 1
                if done > window[1]:
                    return

    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=users + 8)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        await asyncio.gather(*(user(session, n) for n in range(users)))
    print(f"bench: {name}: {answered} answered, {errors} errors", flush=True)
    return latencies, answered, errors


class CpuMeter:
    """CPU time of named process groups between ``start`` and ``stop``.

    A group is a list of process trees (PostgreSQL's backends are counted with
    the postmaster); ``bench`` is this load generator alone."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self.groups = groups
        self.started: dict[str, float] = {}
        self.used: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        own = os.times()
        return {
            **{name: cpu_seconds(pids) for name, pids in self.groups.items()},
            "bench": own.user + own.system,
        }

    def start(self) -> None:
        self.started = self._now()

    def stop(self) -> None:
        if self.started:
            now = self._now()
            self.used = {name: now[name] - self.started[name] for name in now}


def measure(
    name: str,
    urls: list[str],
    kind: str,
    args: argparse.Namespace,
    groups: dict[str, list[int]],
    notes: dict[str, Any] | None = None,
) -> Result:
    pids = [pid for tree in groups.values() for pid in tree]
    cpu = CpuMeter(groups)
    window = threading.Timer(args.warmup, cpu.start)
    window.start()
    with MemorySampler(pids) as memory:
        latencies, answered, errors = asyncio.run(
            closed_loop(name, urls, kind, args.users, args.warmup, args.duration, args.seed)
        )
    cpu.stop()
    window.cancel()
    latencies.sort()
    ms = [x * 1000 for x in latencies]
    per_answer = {
        group: round(1000 * seconds / max(answered, 1), 1) for group, seconds in cpu.used.items()
    }
    if per_answer:
        per_answer["total"] = round(sum(per_answer.values()), 1)
    return Result(
        name=name,
        users=args.users,
        seconds=args.duration,
        answered=answered,
        errors=errors,
        throughput=round(answered / args.duration, 2),
        p50_ms=round(percentile(ms, 0.50), 1),
        p95_ms=round(percentile(ms, 0.95), 1),
        p99_ms=round(percentile(ms, 0.99), 1),
        mean_ms=round(statistics.fmean(ms), 1) if ms else float("nan"),
        max_rss_mb=round(memory.peak / 2**20, 1),
        max_pss_mb=round(memory.peak_pss / 2**20, 1),
        processes=len(pids),
        cpu_ms_per_answer=per_answer,
        notes=notes or {},
    )


def metric_total(url: str, name: str) -> float:
    import urllib.request

    with urllib.request.urlopen(url + "/metrics", timeout=10) as response:  # noqa: S310
        text = response.read().decode()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(name + "{") or line.startswith(name + " ")
    )


def server_pids(svc: services.Services) -> dict[str, list[int]]:
    pids: dict[str, list[int]] = {}
    pg = Path(svc.pg_dir) / "pg" / "postmaster.pid"
    redis = Path(svc.state_dir) / "redis" / "redis.pid"
    for name, pidfile in (("postgres", pg), ("redis", redis)):
        with contextlib.suppress(OSError, ValueError, IndexError):
            pids[name] = [int(pidfile.read_text().split()[0])]
    return pids


class Profiler:
    """py-spy on one process for the measuring window, if py-spy is installed."""

    def __init__(self, pid: int, name: str, seconds: float, delay: float) -> None:
        self.pyspy = shutil.which("py-spy") or str(BIN / "py-spy")
        self.out = BENCH / f"profile-{name}"
        self.process: subprocess.Popen[bytes] | None = None
        self.pid, self.seconds, self.delay = pid, seconds, delay

    def start(self) -> None:
        if not Path(self.pyspy).exists():
            print("bench: py-spy is not installed; no profile", flush=True)
            return

        def later() -> None:
            time.sleep(self.delay)
            self.process = subprocess.Popen(
                [self.pyspy, "record", "--pid", str(self.pid), "--duration", str(int(self.seconds)),
                 "--rate", "50", "--format", "raw", "--output", f"{self.out}.folded",
                 "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip

        threading.Thread(target=later, daemon=True).start()

    def finish(self) -> None:
        deadline = time.monotonic() + 30
        while self.process is None and time.monotonic() < deadline:
            time.sleep(0.5)
        if self.process is None:
            return
        self.process.wait(timeout=60)
        folded = Path(f"{self.out}.folded")
        if folded.exists():
            Path(f"{self.out}.txt").write_text(summarise_profile(folded.read_text()))
            print(f"bench: profile in {self.out}.txt", flush=True)


def summarise_profile(folded: str, top: int = 40) -> str:
    """Top functions by own samples and by total samples, from py-spy's folded stacks."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in folded.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        samples += n
        frames = stack.split(";")
        own[frames[-1]] += n
        for frame in set(frames):
            total[frame] += n
    lines = [f"{samples} samples", "", "own time:"]
    lines += [f"{100 * n / samples:5.1f}%  {f}" for f, n in own.most_common(top)]
    lines += ["", "total time (function and what it calls):"]
    lines += [f"{100 * n / samples:5.1f}%  {f}" for f, n in total.most_common(top)]
    return "\n".join(lines) + "\n"


def run_ours(args: argparse.Namespace) -> list[Result]:
    results = []
    with services.running(BENCH / "services") as svc:
        env = {**svc.env(), "TICKET_LOCK_LIFETIME": "15", **dict(args.env)}
        cluster = Cluster(
            env=env,
            log_dir=BENCH / "ours",
            replicas=args.replicas,
            action_servers=args.actions,
            json_logs=True,
        )
        cluster.start()
        try:
            print(f"bench: our stack healthy after {cluster.wait_healthy(600):.0f} s", flush=True)
            groups: dict[str, list[int]] = {}
            for proc_name, pid in cluster.pids().items():
                groups.setdefault(proc_name.rstrip("0123456789"), []).append(pid)
            groups.update(server_pids(svc))
            layout = {
                "replicas": args.replicas,
                "action_servers": args.actions,
                "env": dict(args.env),
                "tracker_store": "PostgreSQL",
                "lock_store": "Redis",
            }
            if "gateway" in args.only:
                profiler = None
                if args.profile:
                    profiler = Profiler(
                        cluster.pids()[args.profile], args.profile, args.duration, args.warmup
                    )
                    profiler.start()
                before = metric_total(cluster.gateway_url, "pes_messages_total")
                result = measure(
                    "ours-gateway", [cluster.gateway_url + "/api/chat"], "gateway", args, groups,
                    {**layout, "path": "gateway /api/chat"},
                )  # fmt: skip
                rasa_turns = metric_total(cluster.gateway_url, "pes_messages_total") - before
                result.notes["rasa_turns_counted_by_gateway"] = rasa_turns
                results.append(result)
                if profiler:
                    profiler.finish()
            if "rest" in args.only:
                urls = [u + "/webhooks/rest/webhook" for u in cluster.rasa_urls]
                results.append(
                    measure(
                        "ours-rest", urls, "rest", args, groups, {**layout, "path": "Rasa REST"}
                    )
                )
        finally:
            cluster.stop()
    return results


def ensure_stock() -> Path:
    """The stock assistant of ``rasa init``, created and trained once under var/bench/stock."""
    models = sorted((STOCK / "models").glob("*.tar.gz"))
    if models:
        return models[-1]
    shutil.rmtree(STOCK, ignore_errors=True)
    STOCK.mkdir(parents=True)
    print("bench: creating and training the stock assistant (rasa init; a few minutes)", flush=True)
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
    with (BENCH / "stock-init.log").open("wb") as log:
        subprocess.run(
            [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(STOCK)],
            cwd=STOCK, env=env, stdout=log, stderr=subprocess.STDOUT, check=True,
        )  # fmt: skip
    models = sorted((STOCK / "models").glob("*.tar.gz"))
    if not models:
        raise SystemExit("bench: rasa init trained no model; see var/bench/stock-init.log")
    return models[-1]


def run_stock(args: argparse.Namespace) -> list[Result]:
    model = ensure_stock()
    port = free_port()
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = Proc(
        "stock",
        [str(BIN / "rasa"), "run", "--model", str(model), "--interface", "127.0.0.1",
         "--port", str(port)],
        f"http://127.0.0.1:{port}/",
        BENCH / "stock-run.log",
        env,
    )  # fmt: skip
    cluster = Cluster.__new__(Cluster)  # only its start/wait/stop, on this one process
    cluster.procs = [proc]
    for p in cluster.procs:
        p.log.parent.mkdir(parents=True, exist_ok=True)
    try:
        with proc.log.open("wb") as log:
            proc.popen = subprocess.Popen(
                proc.argv, cwd=STOCK, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        print(f"bench: stock assistant healthy after {cluster.wait_healthy(600):.0f} s", flush=True)
        assert proc.popen is not None
        notes = {"path": "Rasa REST", "assistant": "rasa init --no-prompt (moodbot), rasa run"}
        return [
            measure(
                "stock-rest",
                [f"http://127.0.0.1:{port}/webhooks/rest/webhook"],
                "rest",
                args,
                {"rasa": [proc.popen.pid]},
                notes,
            )
        ]
    finally:
        cluster.stop()


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        memory = int(Path("/proc/meminfo").read_text().split()[1]) * 1024
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory / 2**30, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "commit": commit,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "load_before": os.getloadavg()[0],
    }


def table(results: list[Result]) -> str:
    head = (
        "| run | users | answered/s | p50 ms | p95 ms | p99 ms | errors | RSS MB | PSS MB "
        "| CPU ms per answer |"
    )
    rows = [head, "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        rows.append(
            f"| {r.name} | {r.users} | {r.throughput:.1f} | {r.p50_ms:.0f} | {r.p95_ms:.0f} "
            f"| {r.p99_ms:.0f} | {r.errors} | {r.max_rss_mb:.0f} | {r.max_pss_mb:.0f} "
            f"| {', '.join(f'{k} {v:.0f}' for k, v in r.cpu_ms_per_answer.items())} |"
        )
    return "\n".join(rows)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=15.0)
    parser.add_argument("--replicas", type=int, default=2, help="Rasa replicas of our stack")
    parser.add_argument("--actions", type=int, default=1, help="action servers of our stack")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", default="gateway,rest,stock", help="runs, comma separated")
    parser.add_argument(
        "--profile",
        nargs="?",
        const="rasa0",
        metavar="PROCESS",
        help="py-spy one process of our stack (rasa0, gateway, actions0; default rasa0)",
    )
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--out", type=Path, default=BENCH / "results.json")
    args = parser.parse_args(argv)
    args.only = set(args.only.split(","))
    args.env = [tuple(e.split("=", 1)) for e in args.env]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    BENCH.mkdir(parents=True, exist_ok=True)
    info = machine()
    results: list[Result] = []
    if args.only & {"gateway", "rest"}:
        results += run_ours(args)
    if "stock" in args.only:
        results += run_stock(args)
    report = {"machine": info, "results": [asdict(r) for r in results]}
    by_name = {r.name: r for r in results}
    if "ours-gateway" in by_name and "stock-rest" in by_name:
        ours, stock = by_name["ours-gateway"], by_name["stock-rest"]
        report["targets"] = {
            "throughput_ratio_vs_stock": round(ours.throughput / max(stock.throughput, 1e-9), 2),
            "ours_p95_ms": ours.p95_ms,
            "ours_peak_rss_mb": ours.max_rss_mb,
            "ours_peak_pss_mb": ours.max_pss_mb,
            "met": ours.throughput >= 2 * stock.throughput
            and ours.p95_ms <= 300
            and ours.max_pss_mb < 2048,
        }
    text = json.dumps(report, indent=2, ensure_ascii=False)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")
    print(f"\n{info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB, {info['date']}")
    print(table(results))
    if "targets" in report:
        print(f"targets: {json.dumps(report['targets'])}")
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
