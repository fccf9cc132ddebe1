"""Password rules and hashing."""

from functools import cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 8
MAX_LENGTH = 128
COMMON_PASSWORDS = frozenset(
    {
        "12345678",
        "123456789",
        "1234567890",
        "88888888",
        "11111111",
        "00000000",
        "password",
        "password1",
        "passw0rd",
        "qwerty123",
        "abc12345",
        "abcd1234",
        "1qaz2wsx",
        "a1234567",
        "aa123456",
        "woaini1314",
        "iloveyou",
        "admin123",
        "guild123",
    }
)


@cache
def _dummy_hash() -> str:
    """A fixed hash checked when the phone is unknown, so a miss costs as long as a hit."""
    return generate_password_hash("not-a-real-password-0")


def password_problem(password: str, phone: str | None = None) -> str | None:
    """Return why a new password is too weak, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return str(_l("Use at least %(count)d characters.", count=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(_l("Use at most %(count)d characters.", count=MAX_LENGTH))
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        return str(_l("Use both letters and digits."))
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        return str(_l("This password is too easy to guess."))
    if phone and phone in password:
        return str(_l("Do not use your phone number in the password."))
    return None


def hash_password(password: str) -> str:
    """Hash a password for storage with the configured method (scrypt by default)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against a stored hash, spending the same time when there is none."""
    if password_hash is None:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(password_hash, password)
