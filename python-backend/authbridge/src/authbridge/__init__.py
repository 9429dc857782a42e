"""authbridge: verify Better Auth EdDSA JWTs in Python services (CONTRACT §2-§3).

>>> from authbridge import verifier_from_env
>>> verifier = verifier_from_env()            # AUTH_SERVER_URL alone is enough
>>> principal = await verifier.verify(token)  # or AuthError with the contract's code

The TypeScript SDK (``@authbridge/verifier``) has the same names in camelCase; the README's
side-by-side table lists both.
"""

from .access import check_permission, check_role, check_user, has_permission, has_role
from .client_credentials import ClientCredentials, ClientCredentialsError
from .encoding import MAX_JSON_DEPTH
from .errors import MESSAGES, REALM, AuthError, AuthErrorCode, ErrorCode, StepUpRequest
from .jwks import MAX_JWKS_BYTES, MAX_JWKS_KEYS
from .principal import Principal, principal_from_claims
from .revocations import MAX_REVOCATION_BYTES, MAX_REVOCATION_ENTRIES, RevocationList
from .settings import SUPPORTED_ALGORITHMS, AuthSettings, ConfigError, SupportedAlgorithm, options_from_env
from .step_up import MFA_ACR, check_authentication, has_mfa
from .verify import MAX_TOKEN_BYTES, Verifier, create_verifier, parse_authorization, verifier_from_env

__all__ = [
    "MAX_JSON_DEPTH",
    "MAX_JWKS_BYTES",
    "MAX_JWKS_KEYS",
    "MAX_REVOCATION_BYTES",
    "MAX_REVOCATION_ENTRIES",
    "MAX_TOKEN_BYTES",
    "MESSAGES",
    "MFA_ACR",
    "REALM",
    "SUPPORTED_ALGORITHMS",
    "AuthError",
    "AuthErrorCode",
    "AuthSettings",
    "ClientCredentials",
    "ClientCredentialsError",
    "ConfigError",
    "ErrorCode",
    "Principal",
    "RevocationList",
    "StepUpRequest",
    "SupportedAlgorithm",
    "Verifier",
    "check_authentication",
    "check_permission",
    "check_role",
    "check_user",
    "create_verifier",
    "has_mfa",
    "has_permission",
    "has_role",
    "options_from_env",
    "parse_authorization",
    "principal_from_claims",
    "verifier_from_env",
]
