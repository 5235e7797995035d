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
