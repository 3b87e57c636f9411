"""Keyed pseudonyms for CPR numbers, and the secret key they need.

A CPR number becomes ``P-`` followed by 20 letters: the first 80 bits of
HMAC-SHA256(key, CPR), each hex digit written as a letter ``a``-``p``. Letters
only, so a pseudonym never looks like a CPR number or any run of digits.
The same key gives the same pseudonym, so extracts taken on different dates
link; without the key a pseudonym cannot be recomputed from a CPR number (a
plain hash could: there are only about 10^9 valid CPR numbers).

The key lives in a file **outside the project** with owner-only permissions
(``sosu-analysis import --new-key FILE`` creates one). A key file inside the
project tree, or readable by group or others, is refused.

Notes
-----
HMAC is the keyed hash of RFC 2104; with SHA-256 it is a pseudorandom
function, so pseudonyms of different CPR numbers collide with probability
about ``n^2 / 2^81`` for ``n`` students (negligible at 10^5).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

from ..errors import InputError, Problem
from ..input_policy import cpr_digits

# the rule for where a key file may live is shared with `fetch`'s API key: one rule, one place
from ..keyfile import check_key_location

_KEY_TEXT = re.compile(r"^[0-9a-f]{64,}$")
_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")


def new_key(path: str | os.PathLike, project: str | os.PathLike | None = None) -> Path:
    """Create a new secret key file (64 hex digits, mode 0600); an existing file is never overwritten.

    Raises
    ------
    sosu_analysis.errors.InputError
        The file exists, or it would lie inside the project.
    """
    # relative to the current folder, as the user typed it: never to the project root
    path = Path(path).expanduser().absolute()
    reasons = [r for r in check_key_location(path, project) if "inside the project" in r]
    if reasons:
        raise InputError([Problem(str(path), r) for r in reasons])
    if path.is_symlink():
        raise InputError(Problem(str(path), "is a symbolic link; give the real file name of the new key"))
    missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    for p in missing:  # folders made for the key: this user only
        os.chmod(p, 0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise InputError(Problem(str(path), "the key file exists already; it is never overwritten "
                                            "(a new key would break the link to earlier imports)")) from None
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    os.chmod(path, 0o600)
    return path


def read_key(path: str | os.PathLike, project: str | os.PathLike | None = None) -> bytes:
    """Read a key made by :func:`new_key`, refusing one inside the project or readable by others."""
    path = Path(path).expanduser()
    file = str(path)
    if not path.is_file():
        raise InputError(Problem(file, "key file not found; create one with: sosu-analysis import --new-key FILE "
                                       "(outside the project)"))
    reasons = check_key_location(path, project)
    if reasons:
        raise InputError([Problem(file, r) for r in reasons])
    text = path.read_text(encoding="ascii", errors="replace").strip().lower()
    if not _KEY_TEXT.match(text) or len(text) % 2:
        raise InputError(Problem(file, "is not a key made by `sosu-analysis import --new-key` "
                                       "(expected an even number, at least 64, of hexadecimal digits)"))
    return bytes.fromhex(text)


def normalise_cpr(text: str) -> str | None:
    """Digits of a CPR cell: 10 digits (9 padded with the lost leading zero) or 6; ``None`` if not a CPR.

    The package's one CPR rule (:func:`sosu_analysis.input_policy.cpr_digits`), with 6-digit cells allowed.

    >>> normalise_cpr("010203-1234"), normalise_cpr("102031234"), normalise_cpr("010203")
    ('0102031234', '0102031234', '010203')
    """
    return cpr_digits(text, allow_six=True)


def pseudonym(cpr_digits: str, secret: bytes) -> str:
    """Return the keyed pseudonym of normalised CPR digits (see the module notes)."""
    mac = hmac.new(secret, f"cpr{len(cpr_digits)}:{cpr_digits}".encode("ascii"), hashlib.sha256).hexdigest()
    return "P-" + mac[:20].translate(_LETTERS)
