#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: cloud_tenant_info
short_description: Check a Microsoft 365 tenant before linking it with Active Directory
version_added: 1.0.0
description:
  - Returns what the integration needs to know about the tenant, in one C($batch) request
    (organization, domains, subscribed SKUs, user count)
  - The verified domains (UPN suffixes users can sign in with), the SKUs with their free units, whether a
    directory sync engine (Entra Connect or Cloud Sync) masters the tenant, and the tenant's size class
    (Graph's throttling tiers).
author:
  - hybrid.identity contributors (@hybrid-identity)
extends_documentation_fragment:
  - hybrid.identity.cloud_connection
  - hybrid.identity.attributes
  - hybrid.identity.attributes.INFO_MODULE
options: {}
attributes:
  action_group:
    description: Use C(group/hybrid.identity.cloud) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - hybrid.identity.cloud
seealso:
  - module: hybrid.identity.cloud_license
'''

EXAMPLES = r'''
- name: Check the tenant
  hybrid.identity.cloud_tenant_info:
  register: tenant

- name: Refuse to take charge of a tenant a sync engine already masters
  ansible.builtin.assert:
    that:
      - not tenant.directory_sync_enabled
      - "'contoso.com' in tenant.verified_domains"
    fail_msg: "Entra Connect / Cloud Sync is active, or contoso.com is not verified"
'''

RETURN = r'''
tenant_id:
  description: The tenant (directory) id.
  returned: always
  type: str
display_name:
  description: The organization's name.
  returned: always
  type: str
verified_domains:
  description: Names of the verified domains.
  returned: always
  type: list
  elements: str
  sample: [contoso.com, contoso.onmicrosoft.com]
default_domain:
  description: The default domain.
  returned: always
  type: str
initial_domain:
  description: The initial C(onmicrosoft.com) domain.
  returned: always
  type: str
domains:
  description: Every domain with its state.
  returned: always
  type: list
  elements: dict
  sample: [{name: contoso.com, verified: true, default: true, initial: false, authentication_type: Managed}]
skus:
  description: Subscribed SKUs with their units.
  returned: always
  type: list
  elements: dict
  sample: [{sku_id: f245ecc8-75af-4f8e-b61f-27d8114de5f3, sku_part_number: O365_BUSINESS_PREMIUM, enabled: 25,
            consumed: 3, free: 22, suspended: 0, warning: 0, capability_status: Enabled,
            service_plans: [EXCHANGE_S_STANDARD, TEAMS1]}]
directory_sync_enabled:
  description: Whether a directory sync engine (Entra Connect, Cloud Sync) masters the tenant.
  returned: always
  type: bool
directory_sync_last_sync:
  description: When the sync engine last synchronised, if ever.
  returned: always
  type: str
user_count:
  description: The number of users in the tenant.
  returned: always
  type: int
size_class:
  description:
    - C(small) (under 50 users), C(medium) (50 to 500) or C(large) (over 500), Graph's throttling tiers
      (3,500 / 5,000 / 8,000 resource units per 10 seconds).
  returned: always
  type: str
  sample: small
graph:
  description: Request statistics of the run.
  returned: always
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hybrid.identity.plugins.module_utils._cloud_common import (
    cloud_argument_spec, connect, fail_graph)
from ansible_collections.hybrid.identity.plugins.module_utils._cloud_license_math import free_units
from ansible_collections.hybrid.identity.plugins.module_utils._graph_batch import SubRequest
from ansible_collections.hybrid.identity.plugins.module_utils._graph_errors import GraphError


def size_class(count):
    if count is None:
        return None
    if count < 50:
        return "small"
    if count <= 500:
        return "medium"
    return "large"


def main():
    module = AnsibleModule(argument_spec=cloud_argument_spec(), supports_check_mode=True)
    client = connect(module)
    requests = [
        SubRequest("organization", "GET", "/organization"),
        SubRequest("domains", "GET", "/domains"),
        SubRequest("skus", "GET", "/subscribedSkus"),
        SubRequest("count", "GET", "/users/$count", headers={"ConsistencyLevel": "eventual"}),
    ]
    try:
        answers = client.batch(requests)
        for req in requests:
            if not answers[req.key].ok:
                raise answers[req.key].error.for_object("GET %s" % req.url)
    except GraphError as exc:
        fail_graph(module, exc, graph=client.stats)
    org = ((answers["organization"].body or {}).get("value") or [{}])[0]
    domains = (answers["domains"].body or {}).get("value") or []
    skus = (answers["skus"].body or {}).get("value") or []
    try:
        count = int(str(answers["count"].body).strip().lstrip("\ufeff"))
    except ValueError:
        count = None
    out_domains = [{"name": d["id"], "verified": bool(d.get("isVerified")), "default": bool(d.get("isDefault")),
                    "initial": bool(d.get("isInitial")), "authentication_type": d.get("authenticationType")}
                   for d in domains]
    out_skus = []
    for sku in skus:
        prepaid = sku.get("prepaidUnits") or {}
        out_skus.append({
            "sku_id": sku["skuId"], "sku_part_number": sku.get("skuPartNumber"),
            "enabled": int(prepaid.get("enabled") or 0), "suspended": int(prepaid.get("suspended") or 0),
            "warning": int(prepaid.get("warning") or 0), "consumed": int(sku.get("consumedUnits") or 0),
            "free": free_units(sku), "capability_status": sku.get("capabilityStatus"),
            "service_plans": sorted(p.get("servicePlanName") for p in sku.get("servicePlans") or []),
        })
    module.exit_json(
        changed=False,
        tenant_id=org.get("id") or client.settings.get("tenant_id"),
        display_name=org.get("displayName"),
        verified_domains=[d["name"] for d in out_domains if d["verified"]],
        default_domain=next((d["name"] for d in out_domains if d["default"]), None),
        initial_domain=next((d["name"] for d in out_domains if d["initial"]), None),
        domains=out_domains,
        skus=out_skus,
        directory_sync_enabled=bool(org.get("onPremisesSyncEnabled")),
        directory_sync_last_sync=org.get("onPremisesLastSyncDateTime"),
        user_count=count,
        size_class=size_class(count),
        graph=client.stats,
    )


if __name__ == "__main__":
    main()
