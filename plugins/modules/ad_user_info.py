#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ad_user_info
short_description: Read Active Directory users over LDAP
version_added: 1.0.0
description:
  - Returns Active Directory users selected by identity, LDAP filter, OU (with scope) and/or group membership
    (optionally nested), reading every page of the result.
  - Each user comes with the attributes M(hybrid.identity.ad_user) manages, plus C(distinguished_name), C(object_guid),
    C(sid) (names as in C(microsoft.ad)), C(immutable_id) (the Entra hard-match anchor), C(enabled),
    C(must_change_password) and the link attribute.
  - Criteria combine with AND; with none, every user of the domain is returned.
author:
  - hybrid.identity contributors (@hybrid-identity)
extends_documentation_fragment:
  - hybrid.identity.ad_connection
  - hybrid.identity.attributes
  - hybrid.identity.attributes.INFO_MODULE
options:
  identity:
    description:
      - Users to return, each as a sAMAccountName, UPN, DN, objectGUID or objectSid (C(S-1-5-21-...)). Those not
        found are listed in RV(missing).
    type: list
    elements: str
  filter:
    description:
      - An LDAP filter, for example C((department=Sales)). It is combined with C((objectCategory=person)(objectClass=user)).
    type: str
  search_base:
    description:
      - The DN to search under (an OU). Defaults to the domain's naming context.
    type: str
  search_scope:
    description:
      - V(subtree) searches the whole tree under O(search_base); V(one_level) only its direct children;
        V(base) only O(search_base) itself.
    type: str
    choices: [base, one_level, subtree]
    default: subtree
  group:
    description:
      - Only members of this group (sAMAccountName, DN, objectGUID or objectSid).
    type: str
  nested:
    description:
      - With O(group), also members of groups nested in it (LDAP_MATCHING_RULE_IN_CHAIN).
    type: bool
    default: false
  properties:
    description:
      - More attributes to return, by LDAP display name, under RV(users[].attributes) (lists of strings;
        binary values as C(base64:...)).
    type: list
    elements: str
    default: []
  link_attribute:
    description:
      - The attribute that holds the linked cloud object id (returned as RV(users[].link_value) and
        RV(users[].cloud_object_id)).
    type: str
    default: msDS-cloudExtensionAttribute1
  page_size:
    description:
      - How many entries the DC returns per page. Every page is read.
    type: int
    default: 500
seealso:
  - module: hybrid.identity.ad_user
'''

EXAMPLES = r'''
- name: Users of an OU
  hybrid.identity.ad_user_info:
    search_base: OU=Staff,DC=corp,DC=example,DC=local
  register: staff

- name: Some users by identity, with extra attributes
  hybrid.identity.ad_user_info:
    identity: [jdoe, mary@contoso.com, 00112233-4455-6677-8899-aabbccddeeff]
    properties: [employeeType, proxyAddresses]

- name: Enabled members of a group, nested groups included, not yet linked to a cloud account
  hybrid.identity.ad_user_info:
    group: M365 Users
    nested: true
    filter: "(&(!(userAccountControl:1.2.840.113556.1.4.803:=2))(!(msDS-cloudExtensionAttribute1=*)))"
'''

RETURN = r'''
users:
  description: The users found, sorted by DN.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The object's name (C(cn)).
      type: str
    distinguished_name:
      description: The distinguished name.
      type: str
      sample: CN=José Müller,OU=Staff,DC=corp,DC=example,DC=local
    dn:
      description: The same as RV(users[].distinguished_name) (its earlier name).
      type: str
    path:
      description: The DN of the OU or container holding the user.
      type: str
    object_guid:
      description: The objectGUID.
      type: str
      sample: 00112233-4455-6677-8899-aabbccddeeff
    immutable_id:
      description: Base64 of the objectGUID bytes (Entra onPremisesImmutableId).
      type: str
      sample: MyIRAFVEd2aImaq7zN3u/w==
    sid:
      description: The objectSid as a string.
      type: str
      sample: S-1-5-21-4151808797-3430561092-2843464588-1104
    sam_account_name:
      description: The sAMAccountName.
      type: str
    upn:
      description: The userPrincipalName.
      type: str
    given_name:
      description: First name.
      type: str
    surname:
      description: Last name.
      type: str
    display_name:
      description: Display name.
      type: str
    email:
      description: E-mail address (C(mail)).
      type: str
    description:
      description: Description.
      type: str
    title:
      description: Job title.
      type: str
    department:
      description: Department.
      type: str
    company:
      description: Company.
      type: str
    office:
      description: Office.
      type: str
    telephone_number:
      description: Telephone number.
      type: str
    mobile:
      description: Mobile number.
      type: str
    employee_id:
      description: Employee ID.
      type: str
    street:
      description: Street address.
      type: str
    city:
      description: City.
      type: str
    state_province:
      description: State or province.
      type: str
    postal_code:
      description: Postal code.
      type: str
    country:
      description: Country code.
      type: str
    web_page:
      description: Web page.
      type: str
    enabled:
      description: Whether the account is enabled.
      type: bool
    password_never_expires:
      description: Whether DONT_EXPIRE_PASSWORD is set.
      type: bool
    password_expired:
      description: Whether pwdLastSet is 0 (the password must be changed).
      type: bool
    must_change_password:
      description: Whether the user must change the password at next logon (pwdLastSet 0 and the password can expire).
      type: bool
    locked_out:
      description:
        - Whether the DC holds the account locked now (the C(LOCKOUT) bit of C(msDS-User-Account-Control-Computed);
          the bit in C(userAccountControl) is not kept up to date, and C(lockoutTime) outlives an expired lockout).
      type: bool
    user_account_control:
      description: The raw userAccountControl.
      type: int
    user_account_control_flags:
      description: The names of the flags set in userAccountControl.
      type: list
      elements: str
      sample: [NORMAL_ACCOUNT, DONT_EXPIRE_PASSWORD]
    password_last_set:
      description: When the password was last set (ISO 8601 UTC), V(null) when it must be changed.
      type: str
    last_logon:
      description: lastLogonTimestamp (ISO 8601 UTC; replicated, up to 14 days behind).
      type: str
    created:
      description: whenCreated (ISO 8601 UTC).
      type: str
    groups:
      description: DNs of the groups the user is a direct member of (the primary group is not listed).
      type: list
      elements: str
    primary_group_id:
      description: The RID of the primary group (513 is Domain Users).
      type: int
    link_attribute:
      description: The attribute read as the link.
      type: str
    link_value:
      description: The value of O(link_attribute) (the linked cloud object id), V(null) when unlinked.
      type: str
    cloud_object_id:
      description: The same as RV(users[].link_value).
      type: str
    attributes:
      description: The values of O(properties), each a list of strings.
      type: dict
      returned: when O(properties) is set
count:
  description: How many users were found.
  returned: always
  type: int
missing:
  description: The entries of O(identity) that matched no user.
  returned: always
  type: list
  elements: str
ldap_operations:
  description: The LDAP operations the run used (searches, result pages).
  returned: always
  type: dict
  sample: {searches: 2, pages: 3, writes: 0}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hybrid.identity.plugins.module_utils._ldap_client import (
    MATCHING_RULE_IN_CHAIN, LdapClient, ad_argument_spec)
from ansible_collections.hybrid.identity.plugins.module_utils._ad_errors import ADError
from ansible_collections.hybrid.identity.plugins.module_utils import _ad_codecs as codecs
from ansible_collections.hybrid.identity.plugins.module_utils._ad_users import (
    DEFAULT_LINK_ATTRIBUTE, USER_FILTER, UserIndex, chunks, identity_term, read_attributes, user_info)

OR_CHUNK = 200


def find_group(client, spec):
    term = identity_term(spec)[1]
    entries = client.search(client.default_nc, "(&(objectClass=group)%s)" % term, ["distinguishedName"])
    if not entries:
        raise ADError("group '%s' not found. Fix: correct group (sAMAccountName, DN, objectGUID or objectSid)" % spec)
    return entries[0].dn


def build_filter(extra_filter=None, group_dn=None, nested=False, terms=None):
    parts = [USER_FILTER]
    if extra_filter:
        text = extra_filter.strip()
        if not text.startswith("("):
            text = "(%s)" % text
        parts.append(text)
    if group_dn:
        rule = ":%s:" % MATCHING_RULE_IN_CHAIN if nested else ""
        parts.append("(memberOf%s=%s)" % (rule, codecs.escape_filter_value(group_dn)))
    if terms:
        parts.append(codecs.or_filter(terms))
    return "(&%s)" % "".join(parts)


def main():
    module = AnsibleModule(
        argument_spec=ad_argument_spec(
            identity=dict(type="list", elements="str"),
            filter=dict(type="str"),
            search_base=dict(type="str"),
            search_scope=dict(type="str", default="subtree", choices=["base", "one_level", "subtree"]),
            group=dict(type="str"),
            nested=dict(type="bool", default=False),
            properties=dict(type="list", elements="str", default=[]),
            link_attribute=dict(type="str", default=DEFAULT_LINK_ATTRIBUTE),
            page_size=dict(type="int", default=500),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if params["page_size"] < 1:
        module.fail_json(msg="page_size must be at least 1")
    try:
        client = LdapClient.from_module(module).connect()
    except ADError as exc:
        module.fail_json(msg=exc.message)
    try:
        base = params["search_base"] or client.default_nc
        group_dn = find_group(client, params["group"]) if params["group"] else None
        extra = list(params["properties"] or [])
        if params["link_attribute"]:
            extra.append(params["link_attribute"])
        attributes = read_attributes(extra)
        entries = {}
        identities = params["identity"]
        if identities:
            terms = sorted(set(identity_term(i)[1] for i in identities))
            for chunk in chunks(terms, OR_CHUNK):
                for entry in client.search(base, build_filter(params["filter"], group_dn, params["nested"], chunk),
                                           attributes, scope=params["search_scope"], page_size=params["page_size"]):
                    entries[entry.dn] = entry
        else:
            for entry in client.search(base, build_filter(params["filter"], group_dn, params["nested"]), attributes,
                                       scope=params["search_scope"], page_size=params["page_size"]):
                entries[entry.dn] = entry
        missing = []
        if identities:
            index = UserIndex(entries.values())
            missing = [i for i in identities if index.find_identity(i) is None]
        users = [user_info(entries[dn], params["link_attribute"], params["properties"])
                 for dn in sorted(entries, key=codecs.normalize_dn)]
    except ADError as exc:
        module.fail_json(msg=exc.message, ldap_operations=client.stats)
    finally:
        client.close()
    module.exit_json(changed=False, users=users, count=len(users), missing=missing, ldap_operations=client.stats)


if __name__ == "__main__":
    main()
