"""authbridge: verify Better Auth EdDSA JWTs in Python services (CONTRACT §2-§3)."""

from .encoding import MAX_JSON_DEPTH
from .errors import MESSAGES, AuthError, AuthErrorCode, ErrorCode
from .jwks import JwksCache, parse_jwks
from .principal import Principal
from .settings import AuthSettings, get_settings
from .verify import MAX_TOKEN_BYTES, Verifier, parse_authorization

__all__ = [
    "MAX_JSON_DEPTH",
    "MAX_TOKEN_BYTES",
    "MESSAGES",
    "AuthError",
    "AuthErrorCode",
    "AuthSettings",
    "ErrorCode",
    "JwksCache",
    "Principal",
    "Verifier",
    "get_settings",
    "parse_authorization",
    "parse_jwks",
]
