#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: cloud_user_info
short_description: Read Microsoft 365 (Entra ID) users in bulk
version_added: 0.1.0
description:
  - Returns cloud users with the properties M(hybrid.identity.cloud_user) manages (same option names) and their
    assigned licenses.
  - By a list of UPNs or object ids (O(users)), by an OData filter (O(filter)), or every user of the tenant
    (O(all=true)). One of them is required, as in C(azure.azcollection.azure_rm_aduser_info), whose option names
    (O(odata_filter), O(all), O(user_principal_name), O(object_id)) work here too; each user also carries its
    return names (RV(users[].object_id) beside RV(users[].id), and the others).
  - Named users are read in one paged listing or in batched C(in) filters, whichever needs fewer requests;
    every page of a listing is followed.
author:
  - hybrid.identity contributors (@hybrid-identity)
extends_documentation_fragment:
  - hybrid.identity.cloud_connection
  - hybrid.identity.attributes
  - hybrid.identity.attributes.INFO_MODULE
options:
  users:
    description:
      - UPNs or object ids of the users to read. Users that do not exist are listed in RV(missing).
      - The aliases are azure_rm_aduser_info's names; either takes UPNs and object ids alike, one or a list.
      - Mutually exclusive with O(filter) and O(all).
    type: list
    elements: str
    aliases: [user_principal_name, object_id]
  filter:
    description:
      - An OData C($filter) on users, for example C(department eq 'Sales') or
        C(startswith(userPrincipalName,'a')).
      - Filters with C(ne), C(not) or C(endsWith) are sent as advanced queries (C(ConsistencyLevel=eventual)).
      - Mutually exclusive with O(users) and O(all).
    type: str
    aliases: [odata_filter]
  all:
    description:
      - V(true) reads every user of the tenant (every page). Reading a whole tenant is never implied; without
        O(users), O(filter) or O(all=true) the module fails, saying to pass one.
      - Mutually exclusive with O(users) and O(filter).
    type: bool
    default: false
  resolve_licenses:
    description:
      - Whether to resolve license SKU ids and service plan ids to names (one read of C(subscribedSkus),
        which needs C(Organization.Read.All) or C(LicenseAssignment.Read.All)).
    type: bool
    default: true
attributes:
  action_group:
    description: Use C(group/hybrid.identity.cloud) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - hybrid.identity.cloud
seealso:
  - module: hybrid.identity.cloud_user
'''

EXAMPLES = r'''
- name: Read some users
  hybrid.identity.cloud_user_info:
    users:
      - alice@contoso.com
      - 6d1f1b7e-3f5b-4c38-9f2a-0a1b2c3d4e5f
  register: cloud

- name: Everyone in Sales
  hybrid.identity.cloud_user_info:
    filter: "department eq 'Sales'"
  register: sales

- name: Every user of the tenant
  hybrid.identity.cloud_user_info:
    all: true
  register: everyone

- name: Guests, with azure_rm_aduser_info's name for the filter option
  hybrid.identity.cloud_user_info:
    odata_filter: "userType eq 'Guest'"
  register: guests

- name: Show the users without a license
  ansible.builtin.debug:
    msg: "{{ everyone.users | selectattr('assigned_licenses', 'equalto', []) | map(attribute='user_principal_name') }}"
'''

RETURN = r'''
users:
  description: The users found, with the options of M(hybrid.identity.cloud_user) as keys.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Object id.
      type: str
    object_id:
      description: The object id again, under azure_rm_aduser_info's name.
      type: str
    user_principal_name:
      description: UPN.
      type: str
    display_name:
      description: Display name.
      type: str
    mail:
      description: Primary SMTP address (C(mail)), V(null) when the user has none.
      type: str
    mail_nickname:
      description: Mail alias.
      type: str
    user_type:
      description: V(Member) or V(Guest).
      type: str
    account_enabled:
      description: Whether sign-in is allowed.
      type: bool
    on_premises_sync_enabled:
      description: Whether a directory sync engine masters the user.
      type: bool
    password_policies:
      description: Password policies, as a list.
      type: list
      elements: str
    sign_in_sessions_valid_from:
      description:
        - C(signInSessionsValidFromDateTime), the time of the user's last session revocation (refresh tokens issued
          before it no longer work); V(null) when never revoked.
      type: str
      sample: "2026-12-01T16:05:02Z"
    assigned_licenses:
      description: Licenses, with SKU part numbers and disabled service plan names when resolved.
      type: list
      elements: dict
      sample: [{sku_id: f245ecc8-75af-4f8e-b61f-27d8114de5f3, sku_part_number: O365_BUSINESS_PREMIUM,
                disabled_plans: [TEAMS1]}]
  sample:
    - id: 0a6f1c55-7e2b-4d3a-9c8e-1f2a3b4c5d02
      object_id: 0a6f1c55-7e2b-4d3a-9c8e-1f2a3b4c5d02
      user_principal_name: alice@contoso.com
      display_name: Alice Cloud
      given_name: Alice
      surname: Cloud
      mail_nickname: alice
      mail: alice@contoso.com
      user_type: Member
      account_enabled: true
      usage_location: US
      department: Finance
      on_premises_sync_enabled: false
      assigned_licenses: []
missing:
  description: Entries of O(users) that match no user.
  returned: always
  type: list
  elements: str
count:
  description: The number of users returned.
  returned: always
  type: int
graph:
  description: Request statistics of the run.
  returned: always
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hybrid.identity.plugins.module_utils._cloud_common import (
    cloud_argument_spec, connect, fail_graph)
from ansible_collections.hybrid.identity.plugins.module_utils._cloud_license_math import SkuCatalog
from ansible_collections.hybrid.identity.plugins.module_utils._cloud_query import (
    PAGE_SIZE, needs_advanced, split_keys, urlencode_query)
from ansible_collections.hybrid.identity.plugins.module_utils._cloud_user_map import USER_SELECT, to_options
from ansible_collections.hybrid.identity.plugins.module_utils._graph_batch import SubRequest
from ansible_collections.hybrid.identity.plugins.module_utils._graph_errors import GraphError

SKUS = SubRequest("skus", "GET", "/subscribedSkus")
NO_SELECTOR = ("say which users to read: users (UPNs or object ids), filter (an OData $filter; alias odata_filter), "
               "or all=true for every user of the tenant (reading a whole tenant is never implied)")
ALL_AND_MORE = "all=true reads every user of the tenant; it cannot be combined with users or filter"


def licenses_of(user, catalog):
    out = []
    for lic in user.get("assignedLicenses") or []:
        item = {"sku_id": lic["skuId"], "disabled_plans": list(lic.get("disabledPlans") or [])}
        if catalog is not None:
            item["sku_part_number"] = catalog.part(lic["skuId"])
            item["disabled_plans"] = catalog.plan_names(lic["skuId"], lic.get("disabledPlans"))
        out.append(item)
    return out


def main():
    module = AnsibleModule(
        argument_spec=cloud_argument_spec(
            users=dict(type="list", elements="str", aliases=["user_principal_name", "object_id"]),
            filter=dict(type="str", aliases=["odata_filter"]),
            all=dict(type="bool", default=False),
            resolve_licenses=dict(type="bool", default=True),
        ),
        mutually_exclusive=[("users", "filter")],
        supports_check_mode=True,
    )
    keys = module.params["users"]
    # An empty filter is no selector (it must not mean the whole tenant); users=[] (a computed list) is one.
    if module.params["all"] and (keys is not None or module.params["filter"]):
        module.fail_json(msg=ALL_AND_MORE)
    if keys is None and not module.params["filter"] and not module.params["all"]:
        module.fail_json(msg=NO_SELECTOR)
    client = connect(module)
    select = ",".join(USER_SELECT)
    catalog = None
    missing = []
    try:
        extra = [SKUS] if module.params["resolve_licenses"] else []
        if keys is not None:
            found, extra_results, _strategy = client.read_users(keys, USER_SELECT, extra=extra)
            users, seen = [], set()
            ids, upns = split_keys(keys)
            for key in ids + upns:
                user = found.get(key.lower())
                if user is None:
                    missing.append(key)
                elif user["id"] not in seen:
                    seen.add(user["id"])
                    users.append(user)
            skus = extra_results.get("skus")
        else:
            params = [("$select", select), ("$top", PAGE_SIZE)]
            headers = None
            if module.params["filter"]:
                params.append(("$filter", module.params["filter"]))
                if needs_advanced(module.params["filter"]):
                    params.append(("$count", "true"))
                    headers = {"ConsistencyLevel": "eventual"}
            users = list(client.pages("/users?" + urlencode_query(params), headers=headers))
            skus = client.batch([SKUS])["skus"] if extra else None
        if skus is not None:
            if skus.ok:
                catalog = SkuCatalog((skus.body or {}).get("value"))
            else:
                module.warn("license names not resolved: %s" % skus.error)
    except GraphError as exc:
        fail_graph(module, exc, graph=client.stats)
    out = []
    for user in users:
        item = to_options(user)
        item["assigned_licenses"] = licenses_of(user, catalog)
        out.append(item)
    module.exit_json(changed=False, users=out, missing=missing, count=len(out), graph=client.stats)


if __name__ == "__main__":
    main()
