"""Configuration from the AUTH_* environment or .env: defaults, the AUTH_SERVER_URL shortcut,
and errors at build time that name the environment variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from authbridge import AuthSettings
from authbridge.settings import ConfigError, options_from_env

AUTH_ENV = (
    "AUTH_SERVER_URL",
    "AUTH_JWKS_URL",
    "AUTH_JWKS",
    "AUTH_ISSUER",
    "AUTH_AUDIENCE",
    "AUTH_REVOCATION_URL",
    "AUTH_REVOCATION_LIST",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in AUTH_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no developer's .env leaks in


def test_reads_the_contract_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_JWKS_URL", "http://127.0.0.1:3000/.well-known/jwks.json")
    monkeypatch.setenv("AUTH_REVOCATION_URL", "http://127.0.0.1:3000/api/auth/revocations")
    monkeypatch.setenv("AUTH_ISSUER", "http://127.0.0.1:3000")
    monkeypatch.setenv("AUTH_AUDIENCE", "a, b")
    settings = AuthSettings()
    assert settings.revocation_feed == "http://127.0.0.1:3000/api/auth/revocations"
    assert settings.revocation_poll_seconds == 5
    assert settings.revocation_max_stale_seconds == 300
    assert settings.revocation_timeout_seconds == 2
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
    assert settings.revocation_feed == "https://auth.example.com/api/auth/revocations"
    assert settings.issuer == "https://auth.example.com"
    assert settings.audience == ["https://auth.example.com"]


def test_revocation_is_off_only_when_asked_or_with_a_static_key_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_SERVER_URL", "https://auth.example.com")
    monkeypatch.setenv("AUTH_REVOCATION_URL", "OFF")
    assert options_from_env().revocation_feed is None
    static = options_from_env({"AUTH_JWKS": '{"keys": []}', "AUTH_ISSUER": "i", "AUTH_AUDIENCE": "a"})
    assert static.revocation_feed is None
    listed = options_from_env(
        {"AUTH_SERVER_URL": "https://a.example", "AUTH_REVOCATION_LIST": '{"sessions": ["s1"]}'}
    )
    assert (listed.revocation_feed, listed.revocation_list) == (None, {"sessions": ["s1"]})


def test_a_jwks_url_alone_asks_for_the_revocation_feed_or_off() -> None:
    with pytest.raises(ConfigError, match="AUTH_REVOCATION_URL is required with AUTH_JWKS_URL alone"):
        options_from_env({"AUTH_JWKS_URL": "http://x/jwks", "AUTH_ISSUER": "i", "AUTH_AUDIENCE": "a"})
    with pytest.raises(ConfigError, match="AUTH_REVOCATION_LIST: must be a JSON revocation list"):
        options_from_env({"AUTH_SERVER_URL": "http://x", "AUTH_REVOCATION_LIST": "{"})


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
        ({"revocation_url": "file:///etc/passwd"}, "AUTH_REVOCATION_URL"),
        ({"revocation_poll_seconds": 0}, "AUTH_REVOCATION_POLL_SECONDS"),
        ({"revocation_max_stale_seconds": -1}, "AUTH_REVOCATION_MAX_STALE_SECONDS"),
        ({"revocation_timeout_seconds": 0}, "AUTH_REVOCATION_TIMEOUT_SECONDS"),
    ],
)
def test_a_wrong_setting_fails_at_build_time_naming_its_variable(
    overrides: dict[str, object], variable: str
) -> None:
    options: dict[str, object] = {
        "jwks_url": "http://x/jwks",
        "revocation_url": "off",
        "issuer": "i",
        "audience": "a",
    }
    options.update(overrides)
    with pytest.raises(ConfigError, match=variable):
        options_from_env(**options)
