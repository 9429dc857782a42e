"""Property: whatever the Authorization header holds, the API answers 401 (never a 500)."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from authbridge.testing import TestKey

from ..tokens import token_for

pytestmark = pytest.mark.anyio

HEADER_SAFE = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=300)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_mutated_tokens_are_always_401(client: httpx.AsyncClient, key: TestKey) -> None:
    valid = token_for(key, "alice")
    seen: list[int] = []

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(position=st.integers(0, len(valid) - 1), char=st.sampled_from("AQgw_-.=x"), junk=HEADER_SAFE)
    def mutate(position: int, char: str, junk: str) -> None:
        token = valid[:position] + char + valid[position + 1 :]
        if token != valid:
            seen.append(hash((token, junk)))
            tokens.append(token)
        tokens.append(junk)

    tokens: list[str] = []
    mutate()
    assert seen, "hypothesis generated no mutation"
    for token in tokens:
        response = await client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (token, response.text)
        assert response.json()["code"] != "ok"
