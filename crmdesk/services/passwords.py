"""Password hashing with Argon2id (argon2-cffi) at the OWASP Password Storage Cheat Sheet's first
configuration: 19 MiB of memory, 2 passes, 1 lane. argon2-cffi's own default (64 MiB, 3 passes,
4 lanes, RFC 9106's second choice) took 110 ms per check on a 2-core shop PC, and the login pays
one check (the demo shop two); this one takes about 20 ms at a strength OWASP rates equal.
Hashes carry their parameters: an older hash still verifies and is replaced at the next login."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``salt`` only for reproducible demo data; everything else gets a random one."""
    return _hasher.hash(password, salt=salt)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a (verified) hash was made with other parameters than today's."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
