from __future__ import annotations

import pytest

from pes.settings import DEV_PSEUDONYM_KEY, SettingsError, from_env


def test_defaults_for_a_laptop() -> None:
    s = from_env({}).gateway
    assert s.rasa_url == "http://127.0.0.1:5005"
    assert s.gateway_port == 8000 and s.action_health_url == "http://127.0.0.1:5055/health"
    assert s.translation_provider == "none" and not s.production
    assert s.pseudonym_key == DEV_PSEUDONYM_KEY


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(SettingsError, match="PSEUDONYM_KEY"):
        _ = from_env({"APP_ENV": "production"}).gateway
    with pytest.raises(SettingsError, match="PSEUDONYM_KEY"):
        _ = from_env({"APP_ENV": "production", "PSEUDONYM_KEY": DEV_PSEUDONYM_KEY}).gateway
    ok = from_env(
        {
            "APP_ENV": "production",
            "PSEUDONYM_KEY": "Kx7-q2Vb9_LmN4pR8sT1wY6zA3cE5gH0jU",
            "RASA_AUTH_TOKEN": "r4S-aU9h_T7ke-9xQ2mV7bN1",
        }
    ).gateway
    assert ok.production


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GATEWAY_PORT": "eighty"}, "GATEWAY_PORT"),
        ({"RASA_PORT": "70000"}, "RASA_PORT"),
        ({"TRANSLATION_PROVIDER": "babelfish"}, "TRANSLATION_PROVIDER"),
        ({"APP_ENV": "staging"}, "APP_ENV"),
        ({"TRUSTED_PROXY_HOPS": "9"}, "TRUSTED_PROXY_HOPS"),
    ],
)
def test_bad_values_say_which_setting(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        _ = from_env(env).gateway


PRODUCTION = {
    "APP_ENV": "production",
    "PSEUDONYM_KEY": "Kx7-q2Vb9_LmN4pR8sT1wY6zA3cE5gH0jU",
    "RASA_AUTH_TOKEN": "r4S-aU9h_T7ke-9xQ2mV7bN1",
}


@pytest.mark.parametrize("provider", ["google", "mymemory"])
def test_production_refuses_unofficial_translation_unless_allowed(provider: str) -> None:
    env = {**PRODUCTION, "TRANSLATION_PROVIDER": provider}
    with pytest.raises(SettingsError, match="no data-processing agreement") as refused:
        _ = from_env(env)  # every process: the shared part
    assert "TRANSLATION_ALLOW_UNOFFICIAL" in str(refused.value)
    allowed = from_env({**env, "TRANSLATION_ALLOW_UNOFFICIAL": "true"}).gateway
    assert allowed.translation_provider == provider and allowed.translation_allow_unofficial
    assert from_env({"TRANSLATION_PROVIDER": provider}).translation.provider == provider  # dev
    with pytest.raises(SettingsError, match="TRANSLATION_ALLOW_UNOFFICIAL must be true or false"):
        _ = from_env({**env, "TRANSLATION_ALLOW_UNOFFICIAL": "maybe"})


def test_production_accepts_the_official_providers() -> None:
    libre = {"TRANSLATION_PROVIDER": "libre", "TRANSLATION_API_URL": "http://libretranslate:5000"}
    assert (
        from_env({**PRODUCTION, **libre}).gateway.translation.api_url
        == libre["TRANSLATION_API_URL"]
    )
    deepl = from_env({**PRODUCTION, "TRANSLATION_PROVIDER": "deepl", "TRANSLATION_API_KEY": "a:fx"})
    assert deepl.translation.provider == "deepl"
    azure = from_env(
        {
            **PRODUCTION,
            "TRANSLATION_PROVIDER": "azure",
            "TRANSLATION_API_KEY": "k1",
            "TRANSLATION_REGION": "westeurope",
        }
    )
    assert azure.translation.provider == "microsoft" and azure.translation.region == "westeurope"
    with pytest.raises(SettingsError, match="TRANSLATION_API_KEY is needed"):
        _ = from_env({"TRANSLATION_PROVIDER": "deepl"})
