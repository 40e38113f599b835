# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""objectSid codec (pure logic): the binary SID LDAP returns <-> its S-1-5-... string ([MS-DTYP] 2.4.2).

Binary layout: revision (1 byte), sub-authority count (1 byte), identifier authority (6 bytes,
big-endian), then each sub-authority as 4 bytes little-endian.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import struct

# What identity options take as a SID (a sAMAccountName may hold '-' and digits, but not this shape)
SID_RE = re.compile(r"^S-1-(\d+|0x[0-9A-Fa-f]{12})(-\d+){1,15}$", re.IGNORECASE)


def is_sid(value):
    """True for an 'S-1-...' string with at least one sub-authority that encodes as a SID."""
    if not SID_RE.match(str(value or "").strip()):
        return False
    try:
        sid_to_bytes(value)
    except ValueError:
        return False
    return True


def sid_from_bytes(raw):
    """'S-1-5-21-...-1104' from the raw objectSid, or None for a missing or malformed value."""
    if not raw:
        return None
    raw = bytes(raw)
    if len(raw) < 8:
        return None
    revision, count = raw[0], raw[1]
    if len(raw) != 8 + 4 * count:
        return None
    authority = int.from_bytes(raw[2:8], "big")
    # [MS-DTYP]: authorities that do not fit 32 bits are written in hex
    text = "S-%d-%s" % (revision, authority if authority < 2 ** 32 else "0x%012X" % authority)
    subs = struct.unpack("<%dI" % count, raw[8:]) if count else ()
    return text + "".join("-%d" % sub for sub in subs)


def sid_to_bytes(sid):
    """The raw objectSid of 'S-1-5-21-...'; ValueError when it is not a SID string."""
    parts = (sid or "").strip().upper().split("-")
    if len(parts) < 3 or parts[0] != "S":
        raise ValueError("not a SID: %r" % sid)
    try:
        revision = int(parts[1])
        authority = int(parts[2], 16) if parts[2].startswith("0X") else int(parts[2])
        subs = [int(p) for p in parts[3:]]
    except ValueError:
        raise ValueError("not a SID: %r" % sid)
    if not 0 <= revision < 256 or not 0 <= authority < 2 ** 48 or len(subs) > 15 \
            or any(not 0 <= s < 2 ** 32 for s in subs):
        raise ValueError("not a SID: %r" % sid)
    return bytes([revision, len(subs)]) + authority.to_bytes(6, "big") + struct.pack("<%dI" % len(subs), *subs)
