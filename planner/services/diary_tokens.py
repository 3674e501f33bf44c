"""Diary link tokens: made from a stored random nonce and the app's own key.

A link's token is ``HMAC-SHA256(key, nonce)`` (base64url, 43 characters), where
the nonce is 256 random bits kept on the link and the key is derived from the
app's ``SECRET_KEY``, which never enters the database. Only the token's SHA-256
is stored besides, and the diary is found by that hash. So a copy of the
database still opens no diary, yet the app itself can print the same link again
(a reprinted handout, the email, a weekly invitation) without any side effect.
If the secret key changes, old tokens still open (the hash is checked, not the
key) but can no longer be re-derived: prints then ask the patient to get a new
link from the clinic. Links issued before nonces (no ``token_nonce``) are the same.
"""

import base64
import hashlib
import hmac
import secrets

TOKEN_BYTES = 32
_KEY_PURPOSE = b"planner diary link tokens v1"


def token_digest(token: str) -> str:
    """Return the stored form of a bearer token: its SHA-256, in hex.

    Diary links and calendar feeds keep only this, and are found by it.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_key(secret_key: str | bytes) -> bytes:
    """Derive the diary's own key from the app's secret key (a separate purpose)."""
    raw = secret_key.encode("utf-8") if isinstance(secret_key, str) else secret_key
    return hmac.new(raw, _KEY_PURPOSE, hashlib.sha256).digest()


def derive_token(key: bytes, nonce: str) -> str:
    """Return the token a link's nonce gives under ``key``."""
    mac = hmac.new(key, bytes.fromhex(nonce), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def fresh_token(key: bytes | None) -> tuple[str | None, str]:
    """Return a new ``(nonce, token)``; with no key, a one-off random token.

    A one-off token (no nonce) can be shown only once, where it is made.
    """
    if key is None:
        return None, secrets.token_urlsafe(TOKEN_BYTES)
    nonce = secrets.token_hex(TOKEN_BYTES)
    return nonce, derive_token(key, nonce)


def token_of(key: bytes, nonce: str | None, token_hash: str) -> str | None:
    """Re-derive a link's token, or None when it cannot be (no nonce, a new key)."""
    if nonce is None:
        return None
    token = derive_token(key, nonce)
    return token if hmac.compare_digest(token_digest(token), token_hash) else None
