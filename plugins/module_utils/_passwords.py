# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one password generator, and the rules both directories apply (pure logic).

A generated password must pass AD's default complexity (3 of 4 character classes, no
sAMAccountName or display-name token of 3+ characters, at least the domain's minimum
length) and Entra's strong-password rule (8-256 characters, 3 of 4 classes). We always use
all four classes and 20 characters, which clears both with room to spare, and a symbol set
without quotes, backslashes, commas and semicolons, so the file an admin reads, a CSV cell or
a shell never mangles it. A password never starts with = + - or @, so a spreadsheet opening
the password file never takes it for a formula (and it needs no quote prefix there).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import secrets
import string

LOWER = string.ascii_lowercase
UPPER = string.ascii_uppercase
DIGITS = string.digits
# No look-alikes an admin must read out on the phone: no l/1/I/O/0.
LOWER_SAFE = "".join(c for c in LOWER if c not in "lo")
UPPER_SAFE = "".join(c for c in UPPER if c not in "IO")
DIGITS_SAFE = "23456789"
SYMBOLS = "!#%+-=?@^_~*"
# What a spreadsheet reads as the start of a formula (see _csv_cells): never a password's first character.
FORMULA_STARTS = "=+-@"
DEFAULT_LENGTH = 20
ENTRA_MAX = 256


def generate_password(length=DEFAULT_LENGTH):
    """A random password holding every character class, from the OS's CSPRNG."""
    if length < 8:
        raise ValueError("passwords shorter than 8 characters satisfy neither AD nor Entra")
    draw = _Draw()
    classes = [LOWER_SAFE, UPPER_SAFE, DIGITS_SAFE, SYMBOLS]
    alphabet = "".join(classes)
    while True:
        chars = [c[draw.below(len(c))] for c in classes]
        chars += [alphabet[draw.below(len(alphabet))] for dummy in range(length - len(chars))]
        # Fisher-Yates with the CSPRNG, so the class-guaranteed characters are not always first.
        for i in range(len(chars) - 1, 0, -1):
            j = draw.below(i + 1)
            chars[i], chars[j] = chars[j], chars[i]
        # Rejection (about 1 draw in 14) keeps every allowed password equally likely.
        if chars[0] not in FORMULA_STARTS:
            return "".join(chars)


class _Draw(object):
    """Uniform draws below n (n <= 256) from one buffer of CSPRNG bytes, by rejection (no modulo
    bias). secrets.choice/randbelow ask the OS once per draw: 39 system calls per password, about
    1 s for 10,000 passwords; this asks once or twice per password."""

    def __init__(self):
        self.buffer, self.pos = b"", 0

    def below(self, n):
        limit = 256 - 256 % n
        while True:
            if self.pos >= len(self.buffer):
                self.buffer, self.pos = secrets.token_bytes(64), 0
            value = self.buffer[self.pos]
            self.pos += 1
            if value < limit:
                return value % n


def _classes(password):
    return sum([
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ])


def _tokens(name):
    # AD splits the display name on these delimiters and ignores tokens shorter than 3.
    return [t for t in re.split(r"[,.\-_ #\t]+", name or "") if len(t) >= 3]


def password_problems(password, sam_account_name=None, display_name=None, min_length=7,
                      disable_strong_password=False):
    """Why AD or Entra would refuse this password, as a list of sentences (empty = fine).

    Never includes the password itself: the sentences end up in results and logs.
    """
    problems = []
    if password is None or password == "":
        return ["the password is empty"]
    if len(password) < max(min_length, 8 if not disable_strong_password else 1):
        problems.append("it is shorter than %d characters" % max(min_length, 8))
    if len(password) > ENTRA_MAX:
        problems.append("it is longer than %d characters (Entra's limit)" % ENTRA_MAX)
    if _classes(password) < 3:
        problems.append("it uses fewer than 3 of the 4 character classes (lower, upper, digit, symbol)")
    folded = password.casefold()
    if sam_account_name and len(sam_account_name) >= 3 and sam_account_name.casefold() in folded:
        problems.append("it contains the account name")
    for token in _tokens(display_name):
        if token.casefold() in folded:
            problems.append("it contains part of the display name")
            break
    return problems
