# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whole-run preflight of a creating job, from the plan's reads only (pure logic, no I/O).

- ownership: an account that exists under a name the job wants belongs to someone until proven ours,
  either as the same person's pair (the cloud user's anchor is the AD user's objectGUID) or as the
  account an interrupted run of the job created (the password file recorded it just before the AD
  object's whenCreated);
- licences: what the whole run assigns, per SKU, against the tenant's free units;
- a directory sync engine in charge of the tenant stops every write.
Check mode runs the same preflight, so it shows exactly what the real run would refuse."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import calendar
import time

# How far an AD object's whenCreated may lie from the moment the password file recorded it: the DC's
# clock may be off by Kerberos' tolerance (5 minutes), and a chunk's adds follow its record at once.
CLOCK_SKEW = 300
CREATE_WINDOW = 3600
ADOPT_FIX = ("a creating job never changes an account it did not create. Fix: choose another username, or pair "
             "the existing accounts with hybrid.identity.link_accounts")


def utc_now_text(now=None):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if now is None else now))


def parse_time(text):
    """Seconds since the epoch of an ISO time ('...Z') or an LDAP generalized time ('20261201100000.0Z'); None."""
    text = (text or "").strip()
    for fmt, size in (("%Y-%m-%dT%H:%M:%SZ", 20), ("%Y%m%d%H%M%S", 14)):
        try:
            return calendar.timegm(time.strptime(text[:size], fmt))
        except ValueError:
            continue
    return None


def created_by_journal(row, sam, when_created):
    """The password file's row recorded this account just before the directory created it."""
    # The row was found by the account's UPN; a row that names a sAMAccountName must name this one.
    if not row or (row.get("sam_account_name") and row["sam_account_name"].casefold() != (sam or "").casefold()):
        return False
    return recorded_before(row, when_created)


def recorded_before(row, when_created):
    """The row was recorded just before an object created at when_created (the directory's clock)."""
    recorded, created = parse_time((row or {}).get("recorded")), parse_time(when_created)
    if recorded is None or created is None:
        return False
    return recorded - CLOCK_SKEW <= created <= recorded + CREATE_WINDOW


def judge(ad, cloud, journal_row=None, when_attribute="whenCreated"):
    """(verdict, side, message) for one new-user row from its plan items (ad_user's and cloud_user's).

    verdict: "new" (AD creates it; the cloud side is free), "ours" (what exists is this job's), or
    "refused" (side "ad" or "cloud" holds someone else's account). ad/cloud may be None (not read)."""
    ad_action = (ad or {}).get("action")
    cloud_action = (cloud or {}).get("action")
    cloud_exists = cloud is not None and cloud_action not in ("created", "failed")
    if ad_action == "created":
        if cloud_exists:
            return "refused", "cloud", cloud_taken(cloud)
        return "new", None, None
    if ad_action not in ("updated", "unchanged"):
        return "new", None, None   # failed in the plan: its own error stands
    anchor = ad.get("immutable_id")
    if cloud_exists and anchor and cloud.get("on_premises_immutable_id") == anchor:
        return "ours", None, None
    when = ((ad.get("attributes") or {}).get(when_attribute))
    if created_by_journal(journal_row, ad.get("sam_account_name"), when):
        if cloud_exists:
            return "refused", "cloud", cloud_taken(cloud)
        return "ours", None, None
    return "refused", "ad", ad_taken(ad)


def ad_taken(ad):
    return ("an AD account already exists as %s (sAMAccountName %s), and it is not a pair this job created: %s"
            % (ad.get("dn"), ad.get("sam_account_name"), ADOPT_FIX))


def cloud_taken(cloud):
    return ("a cloud account already exists as %s (id %s%s): %s" % (
        cloud.get("name"), cloud.get("id"),
        ", anchored to another AD user" if cloud.get("on_premises_immutable_id") else "", ADOPT_FIX))


def licence_shortage(needs, skus):
    """Messages for each SKU the run needs more of than the tenant has free.

    needs: {sku (part number or id, as rows give it): count}; skus: cloud_tenant_info skus
    [{sku_id, sku_part_number, free}]."""
    by_key = {}
    for sku in skus or []:
        for key in (sku.get("sku_id"), sku.get("sku_part_number")):
            if key:
                by_key[str(key).casefold()] = sku
    totals = {}
    for wanted, count in (needs or {}).items():
        sku = by_key.get(str(wanted).casefold())
        if sku is None:
            continue   # rows were checked against the tenant's SKUs already
        totals[sku["sku_id"]] = (sku, totals.get(sku["sku_id"], (sku, 0))[1] + count)
    out = []
    for sku, count in sorted(totals.values(), key=lambda pair: pair[0].get("sku_part_number") or ""):
        free = int(sku.get("free") or 0)
        if count > free:
            out.append("licence %s: this run assigns %d, the tenant has %d free. Fix: buy or free %d more, or take "
                       "the licence off %d rows" % (sku.get("sku_part_number") or sku["sku_id"], count, free,
                                                    count - free, count - free))
    return out


SYNC_ENGINE = ("a directory sync engine (Entra Connect or Cloud Sync) is in charge of this tenant "
               "(organization onPremisesSyncEnabled): two engines writing the same users overwrite each other, so "
               "nothing was written. Fix: create the users where the sync engine takes them from, or turn the sync "
               "engine off first")
