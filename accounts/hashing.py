"""Checking a password against every secret an address has, for the cost of one hash.

A login may have to compare the password with the identity's hash and with a registration's
pending hash. Each check of a salted hash is a full derivation (PBKDF2: a large part of a second),
so checking two would make an address with two secrets measurably slower than one with one, and
tell a stranger which addresses have accounts. Instead, a pending hash is made with the algorithm,
salt and work factor of the address's existing secret (:func:`hash_like`), and a login derives the
password once and compares the result with every secret made that way (:func:`check_once`). When
there is nothing to check, the default hasher still runs once.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.hashers import identify_hasher, is_password_usable, make_password
from django.utils.crypto import constant_time_compare


def _parsed(encoded: str | None):
    """(hasher, decoded fields) of a usable hash, or None."""
    if not encoded or not is_password_usable(encoded):
        return None
    try:
        hasher = identify_hasher(encoded)
        return hasher, hasher.decode(encoded)
    except ValueError:  # an algorithm no longer in PASSWORD_HASHERS, or a malformed value
        return None


def _derive(hasher, decoded: dict, password: str) -> str | None:
    """``password`` encoded with ``decoded``'s salt and work factor; None for hashers that keep
    their parameters elsewhere (argon2, bcrypt, scrypt), which are then checked on their own."""
    if "iterations" in decoded:  # the PBKDF2 family, Django's default
        return hasher.encode(password, decoded["salt"], decoded["iterations"])
    if set(decoded) == {"algorithm", "hash", "salt"}:  # salted digests (the test suite's MD5)
        return hasher.encode(password, decoded["salt"])
    return None


def _parameters(encoded: str) -> str:
    """Everything of an encoded hash but the hash itself: algorithm, work factor, salt."""
    return encoded.rsplit("$", 1)[0]


def check_once(password: str, hashes: Sequence[str | None]) -> list[bool]:
    """Which of ``hashes`` match ``password``, with exactly one hash derivation.

    The first usable hash sets the algorithm, salt and work factor; another hash made with other
    parameters cannot be answered by the same derivation and counts as not matching.
    """
    results = [False] * len(hashes)
    for index, encoded in enumerate(hashes):
        parsed = _parsed(encoded)
        if parsed is None:
            continue
        hasher, decoded = parsed
        derived = _derive(hasher, decoded, password)
        if derived is None:
            results[index] = hasher.verify(password, encoded)
            return results
        for other, candidate in enumerate(hashes):
            if candidate and _parameters(candidate) == _parameters(derived):
                results[other] = constant_time_compare(derived, candidate)
        return results
    make_password(password)  # nothing to compare with: the same work anyway
    return results


def hash_like(password: str, reference: str | None) -> str:
    """``password`` hashed so that :func:`check_once` answers for it and ``reference`` together.

    With the reference's algorithm, salt and work factor when it is a usable hash of a hasher that
    allows it; otherwise an ordinary new hash (fresh salt).
    """
    parsed = _parsed(reference)
    if parsed is not None:
        derived = _derive(*parsed, password)
        if derived is not None:
            return derived
    return make_password(password)
