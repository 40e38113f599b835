# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Name rules for AD users (pure logic): sAMAccountName validation and derivation, UPNs.

Derivation rule (documented in docs/ad-users.md, predictable so admins can foresee it):
  1. the source is the UPN's local part when a UPN is given, otherwise
     "<given_name>.<surname>" when both are given, otherwise the name;
  2. transliterate to ASCII (José -> Jose, Müller -> Muller, ß -> ss, Ø -> O), lower-case,
     spaces become dots, keep only a-z 0-9 . - _ (so O'Brien -> obrien), no leading or
     trailing dots, no doubled dots;
  3. cut to 20 characters;
  4. on a collision (in the directory or earlier in the same task) append 2, 3, ... and cut
     the base so the whole stays within 20 characters: jose.muller, jose.muller2, ...
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import unicodedata

SAM_MAX = 20
SAM_FORBIDDEN = '"/\\[]:;|=,+*?<>'
# Letters NFKD does not decompose into ASCII.
_TRANSLIT = {
    u"ß": "ss", u"ẞ": "SS", u"Æ": "AE", u"æ": "ae", u"Ø": "O", u"ø": "o", u"Œ": "OE", u"œ": "oe",
    u"Ł": "L", u"ł": "l", u"Đ": "D", u"đ": "d", u"Ð": "D", u"ð": "d", u"Þ": "TH", u"þ": "th",
    u"ı": "i", u"Ħ": "H", u"ħ": "h",
}
UPN_LOCAL_RE = re.compile(r"^[A-Za-z0-9'.\-_!#^~]+$")
DNS_NAME_RE = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)+$")


def validate_sam(sam):
    """None when sam is a valid sAMAccountName for a user, else the reason."""
    if sam is None or sam == "":
        return "the sAMAccountName is empty"
    if len(sam) > SAM_MAX:
        return "sAMAccountName '%s' is %d characters long; at most %d are allowed" % (sam, len(sam), SAM_MAX)
    bad = sorted(set(c for c in sam if c in SAM_FORBIDDEN or ord(c) < 32))
    if bad:
        return "sAMAccountName '%s' contains forbidden characters: %s (none of %s)" % (
            sam, " ".join(repr(c) for c in bad), SAM_FORBIDDEN)
    if sam.endswith("."):
        return "sAMAccountName '%s' ends with a period" % sam
    if sam.strip(" .") == "":
        return "sAMAccountName '%s' has only spaces and periods" % sam
    return None


def transliterate(value):
    value = "".join(_TRANSLIT.get(c, c) for c in value)
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if ord(c) < 128 and not unicodedata.combining(c))


def sam_base(given_name=None, surname=None, name=None, upn=None):
    """Step 1-3 of the rule: the collision-free candidate, or None when nothing usable remains."""
    if upn and "@" in upn:
        source = upn.rsplit("@", 1)[0]
    elif given_name and surname:
        source = "%s.%s" % (given_name, surname)
    else:
        source = name or given_name or surname or ""
    value = transliterate(source).lower()
    value = re.sub(r"\s+", ".", value.strip())
    value = re.sub(r"[^a-z0-9._-]", "", value)
    value = re.sub(r"\.{2,}", ".", value).strip(".")
    value = value[:SAM_MAX].rstrip(".")
    return value or None


def with_suffix(base, number):
    """base + number, the base cut so the whole fits in 20 characters (never ending in '.')."""
    if number <= 1:
        return base
    suffix = str(number)
    return base[:SAM_MAX - len(suffix)].rstrip(".") + suffix


def pick_sam(base, taken):
    """The first of base, base2, base3, ... not in taken (a set of casefolded names)."""
    number = 1
    while True:
        candidate = with_suffix(base, number)
        if candidate.casefold() not in taken:
            return candidate
        number += 1


def validate_upn(upn):
    """None when upn looks like user@dns.suffix with a local part Entra accepts, else the reason."""
    if not upn or upn.count("@") != 1:
        return "UPN '%s' must have the form user@domain" % upn
    local, domain = upn.split("@")
    if not local or not UPN_LOCAL_RE.match(local):
        return "UPN '%s': the part before @ may use only A-Z a-z 0-9 ' . - _ ! # ^ ~" % upn
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return "UPN '%s': the part before @ may not start or end with a period or hold '..'" % upn
    if len(local) > 64:
        return "UPN '%s': the part before @ is longer than 64 characters" % upn
    if not DNS_NAME_RE.match(domain):
        return "UPN '%s': '%s' is not a DNS domain name" % (upn, domain)
    return None


def validate_dns_name(name):
    if not name or not DNS_NAME_RE.match(name):
        return "'%s' is not a DNS domain name (labels of letters, digits and hyphens, at least two labels)" % name
    return None


def upn_suffix(upn):
    return upn.rsplit("@", 1)[1].lower() if upn and "@" in upn else None
