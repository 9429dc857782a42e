"""Configuration from the AUTH_* environment or .env: defaults, the AUTH_SERVER_URL shortcut,
and errors at build time that name the environment variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from authbridge import AuthSettings
from authbridge.settings import ConfigError, options_from_env

AUTH_ENV = ("AUTH_SERVER_URL", "AUTH_JWKS_URL", "AUTH_JWKS", "AUTH_ISSUER", "AUTH_AUDIENCE")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in AUTH_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no developer's .env leaks in


def test_reads_the_contract_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_JWKS_URL", "http://127.0.0.1:3000/.well-known/jwks.json")
    monkeypatch.setenv("AUTH_ISSUER", "http://127.0.0.1:3000")
    monkeypatch.setenv("AUTH_AUDIENCE", "a, b")
    settings = AuthSettings()
    assert settings.audience == ["a", "b"]
    assert settings.algorithms == ["EdDSA", "Ed25519"]
    assert settings.leeway_seconds == 5
    assert settings.jwks_cache_seconds == 300
    assert settings.jwks_cooldown_seconds == 30
    assert settings.jwks_max_stale_seconds == 86400
    assert settings.jwks_timeout_seconds == 5


def test_auth_server_url_alone_derives_jwks_issuer_and_audience(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_SERVER_URL", "https://auth.example.com/")
    settings = options_from_env()
    assert settings.jwks_url == "https://auth.example.com/api/auth/jwks"
    assert settings.issuer == "https://auth.example.com"
    assert settings.audience == ["https://auth.example.com"]


def test_explicit_variables_override_the_derived_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_SERVER_URL", "https://auth.example.com")
    monkeypatch.setenv("AUTH_JWKS_URL", "http://auth.internal:3000/.well-known/jwks.json")
    monkeypatch.setenv("AUTH_AUDIENCE", "task-api")
    settings = options_from_env()
    assert settings.jwks_url == "http://auth.internal:3000/.well-known/jwks.json"
    assert settings.issuer == "https://auth.example.com"
    assert settings.audience == ["task-api"]


def test_a_dotenv_file_in_the_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("AUTH_SERVER_URL=http://127.0.0.1:3000\nOTHER_APP_SETTING=x\n")
    assert options_from_env().jwks_url == "http://127.0.0.1:3000/api/auth/jwks"


def test_nothing_configured_names_the_variables_to_set() -> None:
    with pytest.raises(ConfigError, match="AUTH_SERVER_URL or AUTH_JWKS_URL is required"):
        options_from_env()


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"algorithms": "HS256"}, "AUTH_ALGORITHMS"),
        ({"algorithms": "EdDSA,none"}, "AUTH_ALGORITHMS"),
        ({"audience": ""}, "AUTH_AUDIENCE"),
        ({"issuer": ""}, "AUTH_ISSUER"),
        ({"jwks_url": None}, "AUTH_JWKS_URL"),
        ({"leeway_seconds": -1}, "AUTH_LEEWAY_SECONDS"),
        ({"server_url": "ftp://auth"}, "AUTH_SERVER_URL"),
    ],
)
def test_a_wrong_setting_fails_at_build_time_naming_its_variable(
    overrides: dict[str, object], variable: str
) -> None:
    options: dict[str, object] = {"jwks_url": "http://x/jwks", "issuer": "i", "audience": "a"}
    options.update(overrides)
    with pytest.raises(ConfigError, match=variable):
        options_from_env(**options)
