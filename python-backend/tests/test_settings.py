"""Configuration from the AUTH_* environment: defaults, lists, and errors at build time."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from authbridge import AuthSettings


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


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"algorithms": "HS256"}, "algorithms"),
        ({"algorithms": "EdDSA,none"}, "algorithms"),
        ({"audience": ""}, "audience"),
        ({"issuer": ""}, "issuer"),
        ({"jwks_url": None}, "AUTH_JWKS_URL"),
        ({"leeway_seconds": -1}, "leeway_seconds"),
    ],
)
def test_a_wrong_setting_fails_at_build_time_naming_it(overrides: dict[str, object], field: str) -> None:
    options: dict[str, object] = {"jwks_url": "http://x/jwks", "issuer": "i", "audience": "a"}
    options.update(overrides)
    with pytest.raises(ValidationError, match=field):
        AuthSettings.model_validate(options)
