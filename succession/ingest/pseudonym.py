"""Keyed pseudonyms for respondents: HMAC-SHA256 with a key that is not in the repository.

The key comes from the settings (`succession.settings`), in order:

1. the environment variable ``SUCCESSION_PSEUDONYM_KEY`` (the key itself), or
2. ``SUCCESSION_PSEUDONYM_KEY_FILE``, the path of a file holding the key (keep it
   outside the repository, readable only by the service account);
3. otherwise the documented development key ``DEVELOPMENT_KEY`` below, with a logged
   warning, and only for the bundled sample: `key_for_file` gives it for a file whose
   SHA-256 is listed in ``succession/sample_data/bundled_sample.sha256`` (the sample's
   survey exports and coding sheets, byte for byte, so a copy of the sample still loads)
   and refuses every other file (`NoPseudonymKey`: the file is quarantined). Anyone
   with the repository could recompute pseudonyms made with the development key.

The same respondent id gets the same pseudonym in every wave under one key, so waves
can be linked without the id ever leaving ingestion.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from functools import lru_cache
from pathlib import Path

from succession.settings import Settings

log = logging.getLogger(__name__)

KEY_ENV = "SUCCESSION_PSEUDONYM_KEY"
KEY_FILE_ENV = "SUCCESSION_PSEUDONYM_KEY_FILE"
DEVELOPMENT_KEY = b"succession-development-key-for-fake-sample-data-only"
PSEUDONYM_HEX_DIGITS = 20  # 80 bits: no collisions at any survey size we will see


SAMPLE_MANIFEST = Path(__file__).resolve().parents[1] / "sample_data" / "bundled_sample.sha256"


class NoPseudonymKey(ValueError):
    """A file that is not the bundled sample, and no pseudonym key configured."""


def configured_key(settings: Settings | None = None) -> bytes | None:
    """The key the settings give (``SUCCESSION_PSEUDONYM_KEY``, or the file named by
    ``SUCCESSION_PSEUDONYM_KEY_FILE``), None when neither is set. Without ``settings`` they
    are read when the key is needed (once per raw file), so a key configured for a run applies."""
    return (settings or Settings()).configured_pseudonym_key()


@lru_cache(maxsize=1)
def bundled_sample_hashes() -> frozenset[str]:
    """SHA-256 of each bundled sample file that holds identifiers (one per line, ``# ...`` comments)."""
    lines = SAMPLE_MANIFEST.read_text(encoding="utf-8").splitlines() if SAMPLE_MANIFEST.exists() else []
    return frozenset(line.split()[0] for line in lines if line.strip() and not line.startswith("#"))


def key_for_file(sha256: str, settings: Settings | None = None) -> bytes:
    """The key to pseudonymise the identifiers of the raw file with this SHA-256: the
    configured key; without one, the development key for the bundled sample only."""
    key = configured_key(settings)
    if key is not None:
        return key
    if sha256 in bundled_sample_hashes():
        return pseudonym_key()
    raise NoPseudonymKey(
        f"not the bundled sample, and no pseudonym key is configured: set {KEY_ENV} "
        f"or {KEY_FILE_ENV} (the development key in the repository is for the sample data only)"
    )


def pseudonym_key() -> bytes:
    """The configured key, else the development key (with a warning): for the bundled
    sample only; readers of raw files ask `key_for_file`, which enforces that."""
    key = configured_key()
    if key is not None:
        return key
    if not _warned:  # once per process, not once per file
        _warned.append(True)
        log.warning(
            "%s and %s are not set: using the development pseudonym key (sample data only)", KEY_ENV, KEY_FILE_ENV
        )
    return DEVELOPMENT_KEY


_warned: list[bool] = []


def pseudonymise(value: object, key: bytes | None = None, namespace: str = "respondent") -> str:
    """Keyed pseudonym of one identifier (20 hex digits)."""
    key = pseudonym_key() if key is None else key
    message = f"{namespace}:{str(value).strip()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX_DIGITS]


def pseudonymise_ids(ids: list[str], key: bytes, namespace: str = "respondent") -> list[str]:
    """`pseudonymise` of each id, for the ~100,000 respondents of a national export: the keyed
    HMAC state (key and namespace taken in) is made once and copied per id (~1.5x faster)."""
    keyed = hmac.new(key, f"{namespace}:".encode(), hashlib.sha256)
    out = []
    for v in ids:
        h = keyed.copy()
        h.update(str(v).strip().encode("utf-8"))
        out.append(h.hexdigest()[:PSEUDONYM_HEX_DIGITS])
    return out
