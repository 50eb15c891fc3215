"""Keyed pseudonyms for respondents: HMAC-SHA256 with a key that is not in the repository.

The key comes from, in order:

1. the environment variable ``SUCCESSION_PSEUDONYM_KEY`` (the key itself), or
2. ``SUCCESSION_PSEUDONYM_KEY_FILE``, the path of a file holding the key (keep it
   outside the repository, readable only by the service account);
3. otherwise the documented development key ``DEVELOPMENT_KEY`` below, with a logged
   warning. It exists only so the bundled, fake sample data loads out of the box; a
   real survey must never be loaded with it, because anyone with the repository
   could recompute pseudonyms from respondent ids.

The same respondent id gets the same pseudonym in every wave under one key, so waves
can be linked without the id ever leaving ingestion.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

KEY_ENV = "SUCCESSION_PSEUDONYM_KEY"
KEY_FILE_ENV = "SUCCESSION_PSEUDONYM_KEY_FILE"
DEVELOPMENT_KEY = b"succession-development-key-for-fake-sample-data-only"
PSEUDONYM_HEX_DIGITS = 20  # 80 bits: no collisions at any survey size we will see


def pseudonym_key() -> bytes:
    value = os.environ.get(KEY_ENV)
    if value:
        return value.encode("utf-8")
    path = os.environ.get(KEY_FILE_ENV)
    if path:
        key = Path(path).read_bytes().strip()
        if not key:
            raise ValueError(f"{KEY_FILE_ENV} names an empty key file: {path}")
        return key
    if not _warned:  # once per process, not once per file
        _warned.append(True)
        log.warning("%s and %s are not set: using the development pseudonym key (sample data only)", KEY_ENV, KEY_FILE_ENV)
    return DEVELOPMENT_KEY


_warned: list[bool] = []


def pseudonymise(value: object, key: bytes | None = None, namespace: str = "respondent") -> str:
    """Keyed pseudonym of one identifier (20 hex digits)."""
    key = pseudonym_key() if key is None else key
    message = f"{namespace}:{str(value).strip()}".encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX_DIGITS]


def pseudonymise_many(values, key: bytes | None = None, namespace: str = "respondent") -> list[str]:
    key = pseudonym_key() if key is None else key
    return [pseudonymise(v, key, namespace) for v in values]
