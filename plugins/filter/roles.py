# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters the collection's roles use between module calls (thin wrappers over module_utils)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hybrid.identity.plugins.module_utils import _role_logic as logic
from ansible_collections.hybrid.identity.plugins.module_utils._role_input import chunk_plan
from ansible_collections.hybrid.identity.plugins.module_utils._report import render_table


def _with_passwords(users, length=20):
    # Evaluate once (set_fact, no_log): every evaluation generates new passwords.
    return logic.with_passwords(users, length=length)


def _ad_to_cloud(ad_users, verified_domains, cloud_domain, attribute_map=None, usage_location=None):
    entries, problems = logic.ad_to_cloud(ad_users, verified_domains, cloud_domain, attribute_map, usage_location)
    return {"entries": entries, "problems": problems}


def _classify_import(cloud_users, admin_accounts=None, include=None):
    selected, excluded = logic.classify_import(cloud_users, admin_accounts, include or [])
    return {"selected": selected, "excluded": excluded}


def _readiness(tenant, access, domain, verified_domain=None, allow_sync_engine=False, upn_suffix_added=False,
               licenses=None, dc_vendor=None, password_sync_agent=False):
    return logic.readiness(tenant, access, domain, verified_domain, allow_sync_engine, upn_suffix_added, licenses,
                           dc_vendor=dc_vendor or None, password_sync_agent=password_sync_agent)


def _table(rows, columns):
    return render_table(rows, columns)


def _chunks(items_or_total, size=500, noun="users"):
    total = items_or_total if isinstance(items_or_total, int) else len(items_or_total)
    return chunk_plan(total, int(size), noun)


def _select_ad_users(ad_users, include_disabled=False):
    selected, excluded = logic.select_ad_users(ad_users, include_disabled)
    return {"selected": selected, "excluded": excluded}


class FilterModule(object):
    def filters(self):
        return {
            "with_passwords": _with_passwords,
            "without_secrets": logic.without_secrets,
            "ad_to_cloud": _ad_to_cloud,
            "cloud_to_ad": logic.cloud_to_ad,
            "classify_import": _classify_import,
            "readiness": _readiness,
            "text_table": _table,
            "chunks": _chunks,
            "onboard_entries": logic.onboard_entries,
            "ok_users": logic.ok_users,
            "step_results": logic.step_results,
            "password_entries": logic.password_entries,
            "report_users": logic.report_users,
            "link_records": logic.link_records,
            "method_entries": logic.method_entries,
            "select_ad_users": _select_ad_users,
            "audit_records": logic.audit_records,
        }
