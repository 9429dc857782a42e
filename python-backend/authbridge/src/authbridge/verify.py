"""The token verifier: CONTRACT §2's checks, in its order, in one function.

PyJWT parses the published keys (``PyJWK``) and its Ed25519 algorithm checks the signature;
the framing, header and claim rules are the contract's own, stricter than PyJWT's defaults
(a ``crit`` header, a foreign ``typ``, a ``jwk``/``jku`` header are never trusted), and the
parsing is done here once so a verify costs little more than the signature itself.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Any

from jwt import PyJWK

from .claims import token_kind_of, validate_claims
from .encoding import decode_segment, json_object
from .errors import AuthError
from .jwks import JwksCache
from .mismatch_log import MismatchLog
from .principal import Principal, principal_from_claims
from .revocations import RevocationCache
from .settings import AuthSettings, options_from_env, settings_from_options
from .token_cache import CachedToken, TokenCache

#: A longer token is refused before any parsing (CONTRACT §2.1).
#: >>> # a bearer token longer than MAX_TOKEN_BYTES is malformed_token
MAX_TOKEN_BYTES = 8192
_ACCEPTED_TYP = frozenset({"jwt", "at+jwt"})
_ED25519_SIGNATURE_BYTES = 64


def parse_authorization(value: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` value (CONTRACT §2.1).

    >>> parse_authorization("Bearer eyJ...")
    'eyJ...'
    """
    if value is None:
        raise AuthError("missing_token")
    scheme, _, rest = value.strip(" \t").partition(" ")
    if scheme.lower() != "bearer":
        raise AuthError("missing_token")
    token = rest.strip(" \t")
    if not token:
        raise AuthError("missing_token")
    if " " in token or "\t" in token:
        raise AuthError("malformed_token")
    return token


class Verifier:
    """Verifies tokens against a JWKS. Build once per process; ``verify`` is safe to share.

    >>> verifier = Verifier(AuthSettings())
    >>> principal = await verifier.verify(token)
    """

    def __init__(
        self,
        settings: AuthSettings,
        *,
        jwks: JwksCache | None = None,
        revocations: RevocationCache | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.jwks = jwks or JwksCache.from_settings(settings)
        #: The revocation feed's list, or ``None`` when revocation is off.
        self.revocations = revocations or RevocationCache.from_settings(settings, wall_clock=now)
        self._now = now
        self._algorithms = frozenset(settings.algorithms)
        self._audiences = frozenset(settings.audience)
        self._tokens = TokenCache(settings.token_cache_size)
        self._mismatches = MismatchLog(settings.issuer, settings.audience)

    async def authenticate(self, authorization: str | None) -> Principal:
        """Verify the token of an ``Authorization`` header value."""
        return await self.verify(parse_authorization(authorization))

    async def verify(self, token: str) -> Principal:
        """Verify ``token``; raises ``AuthError`` naming the first failed check."""
        cached = self._tokens.get(token, self._now())
        if cached is not None:
            # The key set decides as for a fresh token: a stale set refreshes, a removed key fails.
            try:
                current = self.jwks.peek(cached.kid) or await self.jwks.get_key(cached.kid)
            except AuthError:
                self._tokens.delete(token)
                raise
            if current is cached.key:
                # A session that ended since the token was cached ends it here too.
                if self.revocations is not None:
                    pending = self.revocations.check(cached.principal)
                    if pending is not None:
                        await pending
                return cached.principal
            self._tokens.delete(token)
        # The contract's order (CONTRACT §2): size, structure, algorithm, key, signature, claims, revocation.
        # 1. Size, before any parsing.
        if len(token) > MAX_TOKEN_BYTES or (
            not token.isascii() and len(token.encode("utf-8", "surrogatepass")) > MAX_TOKEN_BYTES
        ):
            raise AuthError("malformed_token")
        # 2. Structure: three base64url parts, JSON object header and payload; no crit, known typ.
        parts = token.split(".")
        if len(parts) != 3:
            raise AuthError("malformed_token")
        header_b64, payload_b64, signature_b64 = parts
        header = json_object(header_b64)
        payload = json_object(payload_b64)
        signature = decode_segment(signature_b64)
        if "crit" in header:
            raise AuthError("malformed_token")
        typ = header.get("typ")
        if typ is not None:
            if not isinstance(typ, str):
                raise AuthError("malformed_token")
            typ = typ.lower().removeprefix("application/")
            if typ not in _ACCEPTED_TYP:
                raise AuthError("malformed_token")
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise AuthError("malformed_token")
        # 3. Algorithm: the allowlist only; header jwk / jku / x5u / x5c are never read.
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self._algorithms:
            raise AuthError("unsupported_algorithm")
        # 4. Key: from the cached JWKS by kid (one refetch per cooldown for an unknown kid).
        key = self.jwks.peek(kid) or await self.jwks.get_key(kid)
        # 5. Signature, before any claim is looked at.
        if len(signature) != _ED25519_SIGNATURE_BYTES or not _verify_signature(
            key, f"{header_b64}.{payload_b64}".encode("ascii"), signature
        ):
            raise AuthError("invalid_signature")
        # 6. Claims.
        try:
            validate_claims(
                payload,
                issuer=self.settings.issuer,
                audiences=self._audiences,
                leeway=self.settings.leeway_seconds,
                now=self._now(),
            )
            token_kind_of(typ, payload)
        except AuthError as error:
            self._mismatches.report(error.code, payload)
            raise
        principal = principal_from_claims(payload)
        # 7. Revocation: the session or client is not on the feed's list (a set lookup while it is fresh).
        if self.revocations is not None:
            pending = self.revocations.check(principal)
            if pending is not None:
                await pending
        expires_at = payload["exp"] + self.settings.leeway_seconds
        self._tokens.set(token, CachedToken(principal, kid, key, expires_at))
        return principal

    async def warm(self) -> bool:
        """Fetch the JWKS (and the revocation list) now, at start-up; whether a usable key set is
        cached afterwards."""
        if self.revocations is not None:
            keys, _ = await asyncio.gather(self.jwks.warm(), self.revocations.warm())
            return keys
        return await self.jwks.warm()

    async def aclose(self) -> None:
        await self.jwks.aclose()
        if self.revocations is not None:
            await self.revocations.aclose()


def _verify_signature(key: PyJWK, signing_input: bytes, signature: bytes) -> bool:
    # The cryptography key PyJWK parsed, called directly: PyJWT's algorithm wrapper re-checks
    # the key type on every call, which costs a tenth of a verify.
    try:
        key.key.verify(signature, signing_input)
    except Exception:
        return False
    return True


def create_verifier(**options: Any) -> Verifier:
    """A verifier from these options alone (``AuthSettings`` fields; the environment is not read).
    A wrong option raises ``ConfigError`` naming it. TypeScript: ``createVerifier``.

    >>> verifier = create_verifier(server_url="https://auth.example.com")
    >>> principal = await verifier.verify(token)
    """
    return Verifier(settings_from_options(**options))


def verifier_from_env(env: Mapping[str, str] | None = None) -> Verifier:
    """A verifier from the contract's ``AUTH_*`` variables (``env``, or this process's environment
    and ``.env``); ``AUTH_SERVER_URL`` alone is enough. It fetches nothing until first used or
    ``await verifier.warm()``. TypeScript: ``verifierFromEnv``.

    >>> verifier = verifier_from_env()
    >>> await verifier.warm()
    """
    return Verifier(options_from_env(env))
