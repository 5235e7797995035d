"""scripts/env.sh, the deployment files and the README agree with the settings model.

Every variable they set is one ``pes/settings/`` reads (``VARIABLES``) or one
it names as another program's (``READ_ELSEWHERE``): a typo or a renamed
variable fails here instead of being silently ignored in production. The
defaults scripts/env.sh gives are the model's own.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from pes import settings as model
from tests.conftest import ROOT
from tests.deploy.test_deploy import DEPLOY, DOCKERFILES, compose, container_envs, k8s_docs

ENV_SH = ROOT / "scripts" / "env.sh"


def env_sh_defaults(text: str | None = None) -> dict[str, str]:
    """``: "${NAME:=value}"`` lines of scripts/env.sh: name -> default as written."""
    text = ENV_SH.read_text() if text is None else text
    return dict(re.findall(r'^: "\$\{([A-Za-z_][A-Za-z0-9_]*):=(.*)\}"$', text, re.M))


def env_sh_names(text: str | None = None) -> set[str]:
    """Every variable scripts/env.sh sets or exports."""
    text = ENV_SH.read_text() if text is None else text
    names = set(env_sh_defaults(text))
    for line in re.findall(r"^export (.+)$", text, re.M):
        names |= set(line.split())
    return names


def deployed_names() -> dict[str, set[str]]:
    """Every variable the deployment files set, with the files that set it."""
    found: dict[str, set[str]] = {}

    def add(names: Any, where: str) -> None:
        for name in names:
            found.setdefault(str(name), set()).add(where)

    for where, name, _ in container_envs():
        add([name], f"k8s {where}")
    for doc in k8s_docs():
        if doc["kind"] in ("ConfigMap", "Secret"):
            add([*doc.get("data", {}), *doc.get("stringData", {})], f"k8s {doc['kind']}")
    data = compose()
    add(data["x-app-env"], "compose x-app-env")
    for name, service in data["services"].items():
        env = service.get("environment", {})
        add(env if isinstance(env, dict) else [], f"compose {name}")
    rasa_env = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["x-rasa"]["environment"]
    add(rasa_env, "compose x-rasa")
    for dockerfile in DOCKERFILES.values():
        blocks = re.findall(r"^ENV ((?:.*\\\n)*.*)$", dockerfile.read_text(), re.M)
        add({m for b in blocks for m in re.findall(r"([A-Z][A-Z0-9_]+)=", b)}, dockerfile.name)
    for line in (DEPLOY / "env.example").read_text().splitlines():
        if re.match(r"^[A-Z_]+=", line):
            add([line.split("=")[0]], "env.example")
    return found


def unknown(names: set[str]) -> list[str]:
    return sorted(names - set(model.VARIABLES) - set(model.READ_ELSEWHERE))


def test_the_two_lists_do_not_overlap() -> None:
    assert set(model.VARIABLES) & set(model.READ_ELSEWHERE) == set()


def test_every_name_in_variables_is_read_by_the_model() -> None:
    settings = model.from_env({})
    for section in ("gateway", "actions", "rasa", "stack"):
        getattr(settings, section)
    assert sorted(set(model.VARIABLES) - settings._env.read) == []


def test_env_sh_sets_only_variables_something_reads() -> None:
    assert unknown(env_sh_names()) == []


def test_env_sh_defaults_are_the_models() -> None:
    defaults = env_sh_defaults()
    ours = {name: value for name, value in defaults.items() if name in model.VARIABLES}
    assert ours, "scripts/env.sh sets none of the model's variables"
    assert ours == {name: model.VARIABLES[name] for name in ours}
    # and the model really behaves so: env.sh's defaults change nothing
    bare, given = model.from_env({}), model.from_env(ours)
    for section in ("gateway", "actions", "rasa", "stack"):
        assert getattr(given, section) == getattr(bare, section), section


def test_the_models_defaults_are_its_behaviour() -> None:
    """Setting any variable to its listed default gives the settings of an empty environment."""
    bare = model.from_env({})
    for name, default in model.VARIABLES.items():
        if not default:
            continue
        given = model.from_env({name: default})
        for section in ("gateway", "actions", "rasa", "stack"):
            assert getattr(given, section) == getattr(bare, section), (name, section)


def test_deployment_files_set_only_variables_something_reads() -> None:
    found = deployed_names()
    assert {name: sorted(found[name]) for name in unknown(set(found))} == {}


def test_the_check_fails_on_a_misspelt_variable() -> None:
    text = ENV_SH.read_text() + ': "${GATEWAY_PROT:=8000}"\nexport GATEWAY_PROT\n'
    assert unknown(env_sh_names(text)) == ["GATEWAY_PROT"]


def test_the_readme_lists_every_variable_the_model_reads() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    listed = {
        name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])
    }
    assert sorted(set(model.VARIABLES) - listed) == []
    assert unknown(listed) == []
