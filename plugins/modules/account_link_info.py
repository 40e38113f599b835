#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: account_link_info
short_description: Report the links between Active Directory users and Microsoft 365 (Entra ID) users
version_added: 0.1.0
description:
  - Reads both directories in one pass (a paged listing on each side) and classifies every user of the two scopes
    by the links M(hybrid.identity.account_link) writes (and Entra Connect hard-matches on), the cloud user's
    C(onPremisesImmutableId) = base64 of the AD objectGUID and the AD link attribute naming the cloud object id.
  - Returns linked pairs, broken links (an immutable id that matches no AD user; a link attribute that names no
    cloud user), mismatches (the two sides disagree), unlinked users on each side and, given O(rules), the matches
    M(hybrid.identity.account_link) would make with the verdict it would reach, with counts.
  - A link to a user outside the other scope is looked up (in bulk) and reported under RV(outside_scope), not as
    broken.
  - Cloud guests (userType Guest) are left out; AD critical system objects too.
author:
  - hybrid.identity contributors (@hybrid-identity)
extends_documentation_fragment:
  - hybrid.identity.ad_connection
  - hybrid.identity.cloud_connection
  - hybrid.identity.attributes
  - hybrid.identity.attributes.INFO_MODULE
options:
  ad_search_base:
    description:
      - The DN under which AD users are read (an OU). Defaults to the whole domain.
    type: str
  ad_search_scope:
    description:
      - V(subtree) reads the whole tree under O(ad_search_base); V(one_level) only its direct children.
    type: str
    choices: [base, one_level, subtree]
    default: subtree
  ad_filter:
    description:
      - An LDAP filter narrowing the AD users read.
    type: str
  ad_group:
    description:
      - Only members of this group (sAMAccountName, DN or objectGUID).
    type: str
  ad_group_nested:
    description:
      - With O(ad_group), also members of nested groups.
    type: bool
    default: false
  cloud_filter:
    description:
      - An OData C($filter) narrowing the cloud users read. Defaults to the whole tenant.
    type: str
  link_attribute:
    description:
      - The AD attribute that holds the linked cloud object id.
    type: str
    default: msDS-cloudExtensionAttribute1
  rules:
    description:
      - Match rules as in M(hybrid.identity.account_link) (V(upn), V(mail), V(mail_nickname), V(employee_id) or
        C({ad_attribute, cloud_property})). The unlinked users are matched under them and returned in
        RV(proposed) and RV(ambiguous).
    type: list
    elements: raw
    default: []
  allow_privileged:
    description:
      - Judge proposals as M(hybrid.identity.account_link) with O(allow_privileged=true) would (admins not refused,
        directory roles not read).
    type: bool
    default: false
attributes:
  action_group:
    description:
      - In C(group/hybrid.identity.ad) and in C(group/hybrid.identity.cloud), so the C(module_defaults) of those two
        groups set its AD and its tenant connection, the same settings every other module of the collection uses.
      - C(group/hybrid.identity.hybrid) holds the linking modules alone; its C(module_defaults) may set both
        connections at once without reaching any AD-only or cloud-only module.
    support: full
    membership:
      - hybrid.identity.ad
      - hybrid.identity.cloud
      - hybrid.identity.hybrid
seealso:
  - module: hybrid.identity.account_link
'''

EXAMPLES = r'''
- name: Link report for the whole domain and tenant, with proposals by UPN then mail
  hybrid.identity.account_link_info:
    rules: [upn, mail]
  register: report

- name: Show the counts
  ansible.builtin.debug:
    var: report.counts

- name: Fail when a link is broken
  ansible.builtin.assert:
    that:
      - report.counts.broken_cloud == 0
      - report.counts.broken_ad == 0
      - report.counts.mismatched == 0
'''

RETURN = r'''
linked:
  description: Pairs linked on both sides (the AD user's fields and the cloud user's fields in one dictionary).
  returned: always
  type: list
  elements: dict
  sample:
    - ad_dn: CN=Ann,OU=Staff,DC=corp,DC=example,DC=local
      sam_account_name: ann
      upn: ann@corp.example.com
      object_guid: 00112233-4455-6677-8899-aabbccddeeff
      immutable_id: MyIRAFVEd2aImaq7zN3u/w==
      link_value: 6d1f1b7e-3f5b-4c38-9f2a-0a1b2c3d4e5f
      cloud_id: 6d1f1b7e-3f5b-4c38-9f2a-0a1b2c3d4e5f
      cloud_upn: ann@corp.example.com
      cloud_immutable_id: MyIRAFVEd2aImaq7zN3u/w==
      sync_enabled: false
mismatched:
  description: Pairs whose two sides disagree, with C(reason).
  returned: always
  type: list
  elements: dict
broken_cloud:
  description: Cloud users whose immutable id matches no AD user (C(object_guid) is the GUID it decodes to).
  returned: always
  type: list
  elements: dict
broken_ad:
  description: AD users whose link attribute names no cloud user.
  returned: always
  type: list
  elements: dict
outside_scope:
  description: Links to a user outside the other side's scope (C(outside) says which side, V(ad) or V(cloud)).
  returned: always
  type: list
  elements: dict
unlinked_ad:
  description: AD users of the scope linked to nobody.
  returned: always
  type: list
  elements: dict
unlinked_cloud:
  description: Cloud users of the scope linked to nobody (guests left out).
  returned: always
  type: list
  elements: dict
proposed:
  description:
    - The matches O(rules) make among the unlinked users, each with C(rule), C(verdict) (V(link) or V(skip)) and,
      for V(skip), C(reason) (V(conflict), V(privileged), V(sync_mastered), V(guest)) and C(message).
  returned: always
  type: list
  elements: dict
ambiguous:
  description: Unlinked users that a rule matches to more than one user (C(rule), C(ad), C(cloud)).
  returned: always
  type: list
  elements: dict
counts:
  description: The length of every list above, plus C(ad_users), C(cloud_users), C(cloud_guests_ignored) and
    C(proposed_to_link).
  returned: always
  type: dict
ldap_operations:
  description: The LDAP operations of the run.
  returned: always
  type: dict
graph:
  description: The Graph requests of the run.
  returned: always
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hybrid.identity.plugins.module_utils._ad_errors import ADError
from ansible_collections.hybrid.identity.plugins.module_utils._ad_users import DEFAULT_LINK_ATTRIBUTE
from ansible_collections.hybrid.identity.plugins.module_utils._cloud_common import cloud_argument_spec, connect
from ansible_collections.hybrid.identity.plugins.module_utils._graph_errors import GraphError
from ansible_collections.hybrid.identity.plugins.module_utils._ldap_client import LdapClient, ad_argument_spec
from ansible_collections.hybrid.identity.plugins.module_utils._link_engine import run_audit
from ansible_collections.hybrid.identity.plugins.module_utils._link_io import LinkIO
from ansible_collections.hybrid.identity.plugins.module_utils._link_rules import validate_rules


def main():
    spec = cloud_argument_spec()
    spec.update(ad_argument_spec())
    spec.update(
        ad_search_base=dict(type="str"),
        ad_search_scope=dict(type="str", default="subtree", choices=["base", "one_level", "subtree"]),
        ad_filter=dict(type="str"),
        ad_group=dict(type="str"),
        ad_group_nested=dict(type="bool", default=False),
        cloud_filter=dict(type="str"),
        link_attribute=dict(type="str", default=DEFAULT_LINK_ATTRIBUTE),
        rules=dict(type="list", elements="raw", default=[]),
        allow_privileged=dict(type="bool", default=False),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    params = dict(module.params)
    params["rules"] = [r.strip().lower() if isinstance(r, str) else r for r in params["rules"] or []]
    errors = validate_rules(params["rules"])
    if errors:
        module.fail_json(msg="; ".join(errors))
    graph = connect(module)
    try:
        ldap = LdapClient.from_module(module).connect()
    except ADError as exc:
        module.fail_json(msg=exc.message)
    io = LinkIO(ldap, graph, params["link_attribute"], params["rules"])
    try:
        report = run_audit(io, params)
    except (ADError, GraphError) as exc:
        stats = io.stats()
        module.fail_json(msg=str(exc) if isinstance(exc, GraphError) else exc.message,
                         ldap_operations=stats["ldap"], graph=stats["graph"])
    finally:
        ldap.close()
    stats = io.stats()
    module.exit_json(changed=False, ldap_operations=stats["ldap"], graph=stats["graph"], **report)


if __name__ == "__main__":
    main()
