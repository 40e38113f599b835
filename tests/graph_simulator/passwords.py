"""Password storage (salted hash only) and Entra's strong-password rule."""
import hashlib
import hmac
import os

# Deliberately low cost (about 0.25 ms): this is a test tenant whose user-creation rate must
# not be the bottleneck; the point is that state dumps and logs can never show a password.
_ITERATIONS = 500


def hash_password(password):
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, _ITERATIONS)
    return "pbkdf2_sha256$%d$%s$%s" % (_ITERATIONS, salt.hex(), digest.hex())


def check_password(password, stored):
    if not stored or password is None:
        return False
    _scheme, iterations, salt, digest = stored.split("$")
    candidate = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt), int(iterations))
    return hmac.compare_digest(candidate.hex(), digest)


def is_strong(password):
    """8-256 characters and at least 3 of: lower case, upper case, digit, symbol."""
    if not isinstance(password, str) or not 8 <= len(password) <= 256:
        return False
    classes = [any(c.islower() for c in password), any(c.isupper() for c in password),
               any(c.isdigit() for c in password), any(not c.isalnum() for c in password)]
    return sum(classes) >= 3
