"""The public surface: only the gateway; the action server on loopback and silent about
failures; Rasa's API only with a token; production refuses placeholder secrets."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.stack import services
from pes.settings import SettingsError, from_env, placeholder_secret
from tests.conftest import ROOT

GOOD = {
    "APP_ENV": "production",
    "PSEUDONYM_KEY": "q8Zr-2VxT_m4Lp9sKc7Wn3Bd6Hf0Jy5A",
    "RASA_AUTH_TOKEN": "Xo3-vR8q_Tm2Kw9Lz4Pb7Nc1",
}


def test_production_starts_with_real_secrets() -> None:
    settings = from_env(GOOD).gateway
    assert settings.production and settings.rasa_auth_token == GOOD["RASA_AUTH_TOKEN"]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"PSEUDONYM_KEY": ""}, "PSEUDONYM_KEY"),
        ({"PSEUDONYM_KEY": "dev-only-pseudonym-key-change-me"}, "PSEUDONYM_KEY"),
        ({"PSEUDONYM_KEY": "x" * 40}, "PSEUDONYM_KEY"),
        ({"PSEUDONYM_KEY": "please-change-me-before-going-live-2026"}, "PSEUDONYM_KEY"),
        ({"RASA_AUTH_TOKEN": ""}, "RASA_AUTH_TOKEN"),
        ({"RASA_AUTH_TOKEN": "short-Tok3n"}, "RASA_AUTH_TOKEN"),
        ({"RASA_AUTH_TOKEN": "your-token-here-your-token-here"}, "RASA_AUTH_TOKEN"),
        ({"RASA_AUTH_TOKEN": "ababababababababababababab"}, "RASA_AUTH_TOKEN"),
        ({"METRICS_TOKEN": "example-metrics-token"}, "METRICS_TOKEN"),
        ({"TELEGRAM_TOKEN": "123456:your-token-here"}, "TELEGRAM_TOKEN"),
        ({"TRANSLATION_API_KEY": "changeme"}, "TRANSLATION_API_KEY"),
        ({"DATABASE_URL": "postgresql://pes:changeme@db/pes"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://pes:password@db/pes"}, "DATABASE_URL"),
        ({"RETENTION_DAYS": "forever"}, "RETENTION_DAYS"),
    ],
)
def test_production_refuses_placeholders(change: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        _ = from_env({**GOOD, **change}).gateway


def test_development_keeps_working_without_secrets() -> None:
    assert not from_env({}).gateway.production
    assert from_env({"RASA_AUTH_TOKEN": "dev"}).gateway.rasa_auth_token == "dev"


def test_placeholder_detection() -> None:
    assert placeholder_secret(None) and placeholder_secret("CHANGE_ME" * 5)
    assert not placeholder_secret("q8Zr-2VxT_m4Lp9sKc7Wn3Bd6Hf0Jy5A")


def stack_env(**extra: str) -> dict[str, str]:
    return {
        "RASA_HOST": "127.0.0.1",
        "RASA_PORT": "5005",
        "ACTION_HOST": "127.0.0.1",
        "ACTION_PORT": "5055",
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_PORT": "8000",
        **extra,
    }


def test_rasa_api_only_with_a_token() -> None:
    rasa = next(s for s in services(from_env(stack_env())) if s.name == "rasa")
    assert "--enable-api" not in rasa.argv
    rasa = next(
        s for s in services(from_env(stack_env(RASA_AUTH_TOKEN="t0ken"))) if s.name == "rasa"
    )
    assert rasa.argv[rasa.argv.index("--enable-api") + 1 : rasa.argv.index("--enable-api") + 3] == [
        "--auth-token",
        "t0ken",
    ]
    assert rasa.argv[rasa.argv.index("--interface") + 1] == "127.0.0.1"


def test_the_stack_runs_the_safe_action_server() -> None:
    actions = next(s for s in services(from_env(stack_env())) if s.name == "actions")
    assert actions.argv[1:3] == ["-m", "actions"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on ``port`` (Linux /proc/net/tcp)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


@pytest.fixture(scope="module")
def action_server() -> Iterator[tuple[int, Any]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("ACTION_HOST", "SANIC_HOST")}
    process = subprocess.Popen(
        [sys.executable, "-m", "actions", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                break
        except (urllib.error.URLError, OSError):
            if process.poll() is not None:
                break
            time.sleep(0.5)
    yield port, process
    process.terminate()
    process.wait(timeout=30)


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's socket table")
def test_action_server_listens_on_loopback_only(action_server: tuple[int, Any]) -> None:
    port, process = action_server
    assert process.poll() is None
    assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, nothing else


def test_a_failing_action_tells_rasa_nothing(action_server: tuple[int, Any]) -> None:
    port, process = action_server
    call = {
        "next_action": "action_delete_my_data",
        "sender_id": "web-c0ffee0000c0ffee0000c0ffee0000",
        "tracker": {
            "sender_id": "web-c0ffee0000c0ffee0000c0ffee0000",
            "slots": {},
            "latest_message": {"text": "my passport number is AB1234567", "intent": 7},
            "events": [{"event": "user", "text": "my passport number is AB1234567"}],
        },
        "domain": {},
    }
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhook",
        data=json.dumps(call).encode(),
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as failed:
        urllib.request.urlopen(request, timeout=10)
    assert failed.value.code == 500
    body = failed.value.read().decode()
    assert json.loads(body) == {"error": "action failed"}
    assert "AB1234567" not in body and "c0ffee" not in body
    missing = urllib.request.Request(f"http://127.0.0.1:{port}/nothing-here")
    with pytest.raises(urllib.error.HTTPError) as not_found:
        urllib.request.urlopen(missing, timeout=10)
    assert not_found.value.code == 404
    process.terminate()
    output = process.communicate(timeout=30)[0]
    assert "action failed: AttributeError" in output
    assert "AB1234567" not in output and "c0ffee" not in output


async def test_every_answer_carries_the_security_headers(aiohttp_client: Any) -> None:
    import httpx

    from bot.app import create_app
    from tests.standins.rasa_rest import FakeRasa

    fake = FakeRasa()
    client = await aiohttp_client(
        create_app(
            from_env({}).gateway,
            rasa=fake.client(),
            http=httpx.AsyncClient(transport=fake.transport),
        )
    )
    for method, path in (
        ("GET", "/"),
        ("GET", "/no/such/page"),
        ("GET", "/api/chat"),
        ("POST", "/api/chat"),
        ("GET", "/console"),
        ("GET", "/static/../../etc/passwd"),
    ):
        response = await client.request(method, path, allow_redirects=False)
        assert response.status < 500, (path, response.status)
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
