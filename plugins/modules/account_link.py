#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: account_link
short_description: Link Active Directory users to Microsoft 365 (Entra ID) users in bulk
version_added: 0.1.0
description:
  - Pairs existing AD users with existing cloud users and records each link on both sides, the way Entra Connect
    would find it; Windows Server Essentials did this one user at a time, this module does any number in one task.
  - The cloud user's C(onPremisesImmutableId) is set to base64 of the AD user's objectGUID (Entra Connect's source
    anchor, so a later move to Entra Connect hard-matches these users instead of duplicating them), and the cloud
    object id is written into the AD link attribute O(link_attribute).
  - Pairs come explicitly (O(pairs)) and/or from match rules (O(rules)) tried in order over a scope on each side
    (O(ad_search_base), O(ad_filter), O(ad_group), and O(cloud_filter)). Links that already exist are found first
    (hard match on the immutable id or the link attribute) and are never re-matched by a rule.
  - Left alone and reported (action V(skipped) with a RV(links[].reason)), not failed; ambiguous matches (more than
    one candidate), conflicts (the cloud user is already linked to another AD user, or the AD user to another cloud
    user), cloud users holding a directory (admin) role unless O(allow_privileged=true), users mastered by a
    directory sync engine, and guests.
  - A cloud user of O(pairs) that is not found is looked up again with backoff for up to
    E(HYBRID_IDENTITY_REPLICATION_WAIT) seconds (default 120), since one created moments before is not listed yet.
  - The module fails at the end only for real errors (a user that does not exist, a write the directory refused);
    every other pair is still converged. Set O(fail_on_skipped=true) to fail for skipped pairs too.
  - Writes go cloud first (C($batch) of 20 PATCHes), then one LDAP modify per AD user (the link attribute, and
    C(pwdLastSet=0) when O(force_password_change) applies). A rerun completes a link an interrupted run left
    half written.
  - O(state=absent) unlinks. The immutable id is cleared (JSON null) and the link attribute removed, on each side
    only where it points at the other.
author:
  - hybrid.identity contributors (@hybrid-identity)
extends_documentation_fragment:
  - hybrid.identity.ad_connection
  - hybrid.identity.cloud_connection
  - hybrid.identity.attributes
  - hybrid.identity.attributes.STATE_MODULE
options:
  pairs:
    description:
      - Explicit pairs. Each AD user and each cloud user may be listed once.
      - With O(state=absent), O(pairs[].cloud) may be left out to unlink the AD user from whatever it is linked to.
    type: list
    elements: dict
    suboptions:
      ad:
        description:
          - The AD user, as a sAMAccountName (C(DOMAIN\) prefix allowed), UPN, DN or objectGUID.
        type: str
        required: true
      cloud:
        description:
          - The cloud user, as a UPN or an object id.
        type: str
  rules:
    description:
      - Match rules, tried in order for every user of the scopes not paired yet. Each is one of
        V(upn) (AD userPrincipalName = cloud userPrincipalName),
        V(mail) (AD mail or primary SMTP proxy address = cloud mail or primary SMTP proxy address),
        V(mail_nickname) (AD sAMAccountName = cloud mailNickname),
        V(employee_id) (AD employeeID = cloud employeeId),
        or a dictionary with keys C(ad_attribute) and C(cloud_property) for any attribute pair (a cloud property may
        be a path such as C(onPremisesExtensionAttributes/extensionAttribute1)).
      - Comparisons ignore case and surrounding spaces. A rule that finds more than one candidate on either side
        reports the user as ambiguous and later rules do not try it (guessing is worse than asking).
      - Without O(rules) only O(pairs) are linked.
    type: list
    elements: raw
    default: []
  ad_search_base:
    description:
      - The DN under which AD users are matched by O(rules) (an OU). Defaults to the whole domain.
      - With O(state=absent) and no O(pairs), the scope whose links are removed.
    type: str
  ad_search_scope:
    description:
      - V(subtree) takes the whole tree under O(ad_search_base); V(one_level) only its direct children.
    type: str
    choices: [base, one_level, subtree]
    default: subtree
  ad_filter:
    description:
      - An LDAP filter narrowing the AD scope, for example C((department=Sales)).
      - The scope is always limited to user objects that are not critical system objects (as in Entra Connect).
    type: str
  ad_group:
    description:
      - Only members of this group (sAMAccountName, DN or objectGUID) are in the AD scope.
    type: str
  ad_group_nested:
    description:
      - With O(ad_group), also members of nested groups.
    type: bool
    default: false
  cloud_filter:
    description:
      - An OData C($filter) narrowing the cloud users matched by O(rules), for example
        C(startswith(userPrincipalName,'a')). Defaults to every member user of the tenant (guests are never
        matched by rules).
    type: str
  allow_privileged:
    description:
      - Link cloud users that hold a directory role (Global Administrator and others). Entra Connect never matches
        them, so neither does this module unless this is V(true).
      - Detecting them needs C(Directory.Read.All) or C(RoleManagement.Read.Directory); with V(true) the roles are not
        read.
    type: bool
    default: false
  force_password_change:
    description:
      - Whether the AD user must change the password at the next logon (C(pwdLastSet=0)) when a link is newly
        written, as Essentials did so that the new password reaches the cloud.
      - Only the run that writes the AD half of a link sets it; reruns never do.
      - It has no effect for accounts whose password never expires (a warning says so).
    type: bool
    default: true
  link_attribute:
    description:
      - The AD attribute that holds the linked cloud object id. Any single-valued string attribute; the default
        exists on Windows Server 2012 and later schemas and on Samba.
    type: str
    default: msDS-cloudExtensionAttribute1
  state:
    description:
      - V(present) links, V(absent) unlinks.
    type: str
    choices: [present, absent]
    default: present
  fail_on_skipped:
    description:
      - Whether skipped pairs (ambiguous, conflicting, privileged, sync-mastered, guest) fail the task at the end.
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
notes:
  - Reads are paged listings (or, for explicit pairs, batched lookups) on each side; the directory roles are read
    once for the whole tenant (two requests). RV(ldap_operations) and RV(graph) count the requests of the run.
seealso:
  - module: hybrid.identity.account_link_info
  - module: hybrid.identity.ad_user
  - module: hybrid.identity.cloud_user
'''

EXAMPLES = r'''
- name: Link two users explicitly (connections from the environment, see docs/linking.md)
  hybrid.identity.account_link:
    pairs:
      - ad: jdoe
        cloud: john.doe@contoso.com
      - ad: CN=Mary Major,OU=Staff,DC=corp,DC=contoso,DC=local
        cloud: 6d1f1b7e-3f5b-4c38-9f2a-0a1b2c3d4e5f

- name: Link everyone in an OU by UPN, then by mail, then by sAMAccountName = mailNickname
  hybrid.identity.account_link:
    ad_search_base: OU=Staff,DC=corp,DC=contoso,DC=local
    rules: [upn, mail, mail_nickname]
    force_password_change: false
  register: linked

- name: Match on a custom attribute pair
  hybrid.identity.account_link:
    ad_group: M365 Users
    cloud_filter: "department eq 'Sales'"
    rules:
      - ad_attribute: extensionAttribute5
        cloud_property: employeeId

- name: Unlink one user from whatever cloud user it is linked to
  hybrid.identity.account_link:
    pairs:
      - ad: jdoe
    state: absent
'''

RETURN = r'''
links:
  description:
    - One entry per pair considered (explicit pairs in the order given, then existing links, rule matches and
      ambiguous users). With O(state=absent) and a scope, only the users that were (or could not be) unlinked.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The AD user as given in O(pairs), else its sAMAccountName (the cloud UPN for an entry that has
        only a cloud side).
      type: str
    action:
      description: What happened (or would, in check mode).
      type: str
      choices: [linked, updated, unchanged, unlinked, skipped, failed]
      sample: linked
    rule:
      description: How the pair was found, V(pair) (explicit), V(existing) (already linked), V(scope) (unlink by
        scope) or the name of the match rule.
      type: str
      sample: upn
    reason:
      description: Why a pair was skipped or failed.
      type: str
      returned: when action is skipped or failed
      sample: privileged
    message:
      description: The explanation, naming the fix.
      type: str
      returned: when action is skipped or failed
    warning:
      description: A note on a pair that was linked (for example a forced password change without effect).
      type: str
      returned: when there is one
    candidates:
      description: For an ambiguous match or a clash, the users it could have been.
      type: list
      elements: dict
      returned: for ambiguous matches and clashes
    ad_dn:
      description: The AD user's DN.
      type: str
    sam_account_name:
      description: The AD user's sAMAccountName.
      type: str
    object_guid:
      description: The AD user's objectGUID.
      type: str
    immutable_id:
      description: Base64 of the objectGUID bytes, the cloud user's onPremisesImmutableId when linked.
      type: str
      sample: MyIRAFVEd2aImaq7zN3u/w==
    cloud_id:
      description: The cloud user's object id.
      type: str
    cloud_upn:
      description: The cloud user's UPN.
      type: str
    changed_attributes:
      description: What was (or would be) written, as C(cloud:onPremisesImmutableId), C(ad:<link attribute>),
        C(ad:pwdLastSet).
      type: list
      elements: str
    password_change_forced:
      description: Whether this run made the AD user change the password at the next logon.
      type: bool
summary:
  description: Counts per action, skipped pairs per reason, unmatched users on each side and forced password changes.
  returned: always
  type: dict
  sample:
    linked: 998
    updated: 0
    unchanged: 0
    unlinked: 0
    skipped: 2
    failed: 0
    total: 1000
    skipped_by_reason: {ambiguous: 1, conflict: 0, privileged: 1, sync_mastered: 0, guest: 0}
    unmatched_ad: 3
    unmatched_cloud: 10
    passwords_forced: 998
unmatched:
  description: Users of the scopes that no rule matched (AD DNs, cloud UPNs).
  returned: always
  type: dict
  sample: {ad: ["CN=Temp,OU=Staff,DC=corp,DC=contoso,DC=local"], cloud: [room1@contoso.com]}
ldap_operations:
  description: The LDAP operations of the run (searches, result pages, writes).
  returned: always
  type: dict
  sample: {searches: 2, pages: 3, writes: 1000}
graph:
  description: The Graph requests of the run (HTTP requests, batches, batched requests, retries, writes).
  returned: always
  type: dict
diff:
  description: Per pair, the values before and after on each side, in diff mode.
  returned: when diff mode is on
  type: dict
'''

import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hybrid.identity.plugins.module_utils._ad_errors import ADError
from ansible_collections.hybrid.identity.plugins.module_utils._ad_users import DEFAULT_LINK_ATTRIBUTE
from ansible_collections.hybrid.identity.plugins.module_utils._cloud_common import cloud_argument_spec, connect
from ansible_collections.hybrid.identity.plugins.module_utils._graph_errors import GraphError
from ansible_collections.hybrid.identity.plugins.module_utils._ldap_client import LdapClient, ad_argument_spec
from ansible_collections.hybrid.identity.plugins.module_utils._link_engine import LinkResults, LinkRun
from ansible_collections.hybrid.identity.plugins.module_utils._link_io import LinkIO
from ansible_collections.hybrid.identity.plugins.module_utils._link_rules import validate_rules

ATTRIBUTE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")


def link_argument_spec(**extra):
    """Both connections: the cloud spec, then the AD spec (whose validate_certs and ca_path, shared by both,
    carry the environment fallback the cloud side also honours)."""
    spec = cloud_argument_spec()
    spec.update(ad_argument_spec())
    spec.update(extra)
    return spec


def normalize_rules(rules):
    out = []
    for rule in rules or []:
        if isinstance(rule, str):
            out.append(rule.strip().lower())
        elif isinstance(rule, dict):
            out.append(dict((k, str(v).strip()) for k, v in rule.items() if v is not None))
        else:
            out.append(rule)
    return out


def check_params(params):
    errors = validate_rules(params["rules"])
    for rule in params["rules"]:
        if isinstance(rule, dict) and rule.get("ad_attribute") and not ATTRIBUTE_NAME.match(rule["ad_attribute"]):
            errors.append("custom rule ad_attribute %r is not an LDAP attribute name" % rule["ad_attribute"])
    if not ATTRIBUTE_NAME.match(params["link_attribute"] or ""):
        errors.append("link_attribute %r is not an LDAP attribute name" % params["link_attribute"])
    if params["state"] == "present" and not params["pairs"] and not params["rules"]:
        errors.append("give pairs and/or rules: there is nothing to link")
    if params["state"] == "absent" and not params["pairs"] and not (
            params["ad_search_base"] or params["ad_filter"] or params["ad_group"]):
        errors.append("state=absent without pairs needs an AD scope (ad_search_base, ad_filter or ad_group), "
                      "so that a mistake cannot unlink a whole domain")
    return errors


def main():
    module = AnsibleModule(
        argument_spec=link_argument_spec(
            pairs=dict(type="list", elements="dict", options=dict(
                ad=dict(type="str", required=True),
                cloud=dict(type="str"),
            )),
            rules=dict(type="list", elements="raw", default=[]),
            ad_search_base=dict(type="str"),
            ad_search_scope=dict(type="str", default="subtree", choices=["base", "one_level", "subtree"]),
            ad_filter=dict(type="str"),
            ad_group=dict(type="str"),
            ad_group_nested=dict(type="bool", default=False),
            cloud_filter=dict(type="str"),
            allow_privileged=dict(type="bool", default=False),
            force_password_change=dict(type="bool", default=True, no_log=False),
            link_attribute=dict(type="str", default=DEFAULT_LINK_ATTRIBUTE),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            fail_on_skipped=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    params = dict(module.params)
    params["rules"] = normalize_rules(params["rules"])
    errors = check_params(params)
    if errors:
        module.fail_json(msg="; ".join(errors))

    graph = connect(module)
    try:
        ldap = LdapClient.from_module(module).connect()
    except ADError as exc:
        module.fail_json(msg=exc.message)
    io = LinkIO(ldap, graph, params["link_attribute"], params["rules"])
    run = LinkRun(io, params, check_mode=module.check_mode)
    results = LinkResults(module, params["link_attribute"])
    try:
        pairs = run.link() if params["state"] == "present" else run.unlink()
    except (ADError, GraphError) as exc:
        ldap.close()
        stats = io.stats()
        extra = {"error": exc.to_dict()} if isinstance(exc, GraphError) else {}
        module.fail_json(msg=str(exc) if isinstance(exc, GraphError) else exc.message,
                         ldap_operations=stats["ldap"], graph=stats["graph"], **extra)
    ldap.close()
    for pair in pairs:
        results.add(pair)
    results.unmatched_ad = run.unmatched_ad
    results.unmatched_cloud = run.unmatched_cloud
    noted = [p.name for p in pairs if p.warning and p.action in ("linked", "updated")]
    if noted:
        module.warn("%d linked users have passwords that never expire (DONT_EXPIRE_PASSWORD), so the forced "
                    "password change has no effect for them: %s%s" % (len(noted), ", ".join(noted[:10]),
                                                                      " ..." if len(noted) > 10 else ""))
    stats = io.stats()
    results.exit(fail_on_skipped=params["fail_on_skipped"], ldap_operations=stats["ldap"], graph=stats["graph"])


if __name__ == "__main__":
    main()
