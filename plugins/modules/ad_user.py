#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Longer than ~400 lines because DOCUMENTATION, EXAMPLES and RETURN are most of it; the logic lives in module_utils.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: ad_user
short_description: Manage Active Directory users in bulk over LDAP
version_added: 1.0.0
description:
  - Creates, updates, moves, renames and deletes on-premises Active Directory users, many in one task.
  - Set-oriented; one task takes a list of users (O(users)) and converges all of them over one LDAP connection.
    The current state of every listed user is read with a few OR searches before anything is written.
  - Each user succeeds or fails on its own. The module converges every other user and fails at the end,
    naming each user that failed and why.
  - Nothing that is already as asked is written; a second run reports C(changed=false).
  - Option and return value names follow C(microsoft.ad.user) wherever the meaning is the same (older names stay
    as aliases). O(state) and O(update_password) apply to every user; a user's own O(users[].state) and
    O(users[].update_password) override them, as in M(hybrid.identity.cloud_user).
author:
  - hybrid.identity contributors (@hybrid-identity)
extends_documentation_fragment:
  - hybrid.identity.ad_connection
  - hybrid.identity.delete_threshold
  - hybrid.identity.attributes
  - hybrid.identity.attributes.STATE_MODULE
options:
  users:
    description:
      - The users to manage. One user is a list of one.
    type: list
    elements: dict
    required: true
    suboptions:
      identity:
        description:
          - How to find an existing user, as a sAMAccountName (C(CORP\) prefix allowed), a UPN (has C(@)),
            a distinguished name, an objectGUID or an objectSid (C(S-1-5-21-...), as RV(users[].sid) returns it).
          - If not set, the user is looked up by O(users[].sam_account_name), else by O(users[].upn),
            else by its DN (O(users[].name) in O(users[].path)).
        type: str
      name:
        description:
          - The object's name (its C(cn), the RDN of its DN). Required to create a user.
          - When an existing user (found through O(users[].identity), O(users[].sam_account_name) or O(users[].upn))
            has another name, it is renamed.
        type: str
      path:
        description:
          - The DN of the OU or container that holds the user. The user is moved there when it is elsewhere.
          - Defaults to the domain's C(CN=Users) container for new users; existing users stay where they are when not set.
        type: str
      sam_account_name:
        description:
          - 'The pre-Windows 2000 logon name: at most 20 characters, none of C(" / \ [ ] : ; | = , + * ? < >),
            not ending with a period, unique in the domain.'
          - When creating a user without it, it is derived (see the documentation, docs/ad-users.md) from the
            UPN's local part, else C(given_name.surname), else the name; transliterated to ASCII, lower case,
            cut to 20 characters; on a collision 2, 3, ... is appended.
        type: str
      upn:
        description:
          - The userPrincipalName (C(user@suffix)), unique in the forest. The suffix must be the DNS domain or one of
            the forest's UPN suffixes (see M(hybrid.identity.ad_upn_suffix)) to be usable for sign-in.
          - Defaults to C(<sam_account_name>@<DNS domain>) for new users.
        type: str
      given_name:
        description: First name (C(givenName)).
        type: str
        aliases: [firstname]
      surname:
        description: Last name (C(sn)).
        type: str
        aliases: [lastname]
      display_name:
        description: Display name (C(displayName)).
        type: str
      email:
        description: E-mail address (C(mail)).
        type: str
      description:
        description: Description (C(description)).
        type: str
      title:
        description: Job title (C(title)).
        type: str
      department:
        description: Department (C(department)).
        type: str
      company:
        description: Company (C(company)).
        type: str
      office:
        description: Office (C(physicalDeliveryOfficeName)).
        type: str
      telephone_number:
        description: Telephone number (C(telephoneNumber)).
        type: str
      mobile:
        description: Mobile number (C(mobile)).
        type: str
      employee_id:
        description: Employee ID (C(employeeID)).
        type: str
      street:
        description: Street address (C(streetAddress)).
        type: str
      city:
        description: City (C(l)).
        type: str
      state_province:
        description: State or province (C(st)).
        type: str
      postal_code:
        description: Postal code (C(postalCode)).
        type: str
      country:
        description: Country as an ISO 3166 two-letter code (C(c)).
        type: str
      web_page:
        description: Web page (C(wWWHomePage)).
        type: str
      attributes:
        description:
          - Any other attribute, by its LDAP display name. Values are strings (or lists of strings for
            multi-valued attributes); V(true)/V(false) become C(TRUE)/C(FALSE).
          - Passwords cannot be set here (use O(users[].password)).
        type: dict
        suboptions:
          add:
            description: Values to add to each attribute (others are kept).
            type: dict
          remove:
            description: Values to remove from each attribute.
            type: dict
          set:
            description: The exact values of each attribute; V(null) or V([]) clears it.
            type: dict
      groups:
        description:
          - Group memberships, groups given by sAMAccountName, DN, objectGUID or objectSid.
          - The primary group (normally C(Domain Users)) counts as a membership and is never removed.
        type: dict
        suboptions:
          add:
            description: Groups the user must be a member of (others are kept).
            type: list
            elements: str
          remove:
            description: Groups the user must not be a member of.
            type: list
            elements: str
          set:
            description: The exact list of groups; the user is removed from all others.
            type: list
            elements: str
          lookup_failure_action:
            description:
              - What to do when a listed group does not exist. V(fail) fails that user, V(ignore) skips the group,
                V(warn) skips it with a warning.
              - C(lookup_failure) is its earlier name; C(missing_behaviour) is microsoft.ad's alias.
            type: str
            choices: [fail, ignore, warn]
            default: fail
            aliases: [lookup_failure, missing_behaviour]
      enabled:
        description:
          - Whether the account is enabled.
          - New users are enabled when a password is given and disabled otherwise, unless this is set.
        type: bool
      account_locked:
        description:
          - V(false) unlocks the account if the DC holds it locked after failed logons (the C(LOCKOUT) bit of
            C(msDS-User-Account-Control-Computed)), by setting C(lockoutTime) to 0. Nothing is written when the account is
            not locked, including a lockout whose C(lockoutDuration) has run out.
          - V(true) is refused and that user fails, as an administrator cannot lock an account. To stop a user logging
            on, set O(users[].enabled=false).
        type: bool
      password:
        description:
          - The password. Sent only on an encrypted connection; never returned, logged or shown in a diff.
          - For new users it is set in the add request (the DC checks it against the domain's password policy;
            a rejected password leaves no object behind).
        type: str
      update_password:
        description:
          - Overrides O(update_password) for this user.
        type: str
        choices: [always, on_create]
      password_expired:
        description:
          - V(true) makes the user change the password at the next logon (C(pwdLastSet=0)); V(false) clears that.
          - Has no effect at logon while O(users[].password_never_expires=true).
        type: bool
      password_never_expires:
        description: Whether the password never expires (C(DONT_EXPIRE_PASSWORD) in C(userAccountControl)).
        type: bool
      state:
        description:
          - Overrides O(state) for this user.
        type: str
        choices: [present, absent]
      create_only:
        description:
          - V(true) only creates this user. When an account is found under its identity (sAMAccountName, UPN or
            DN), the user fails with the holder named and nothing is changed. (A new user never takes an address
            another object holds as C(mail) or in C(proxyAddresses), whatever this option says.)
          - The creating playbooks set it so that a new hire never takes over an existing employee's account.
        type: bool
        default: false
  state:
    description:
      - V(present) creates or updates the users; V(absent) deletes them.
      - A user's O(users[].state) overrides it.
    type: str
    choices: [present, absent]
    default: present
  update_password:
    description:
      - V(on_create) sets O(users[].password) only when a user is created.
      - V(always) resets it on every run (the task then always reports a change for those users).
      - A user's O(users[].update_password) overrides it.
    type: str
    choices: [always, on_create]
    default: on_create
  return_attributes:
    description:
      - LDAP attributes (text values) to return for each user in RV(users[].attributes), read in the same searches
        that find the users, so no extra LDAP operation is needed.
      - Values are as the run found them, before its own changes; a user the run creates is read back after the
        create. Use it to check something the module does not manage (for example a link attribute) without a
        second read of the same users.
    type: list
    elements: str
    default: []
notes:
  - Run it on a host that can reach the DC; C(connection=local) or C(delegate_to=localhost) is typical.
  - The module reads with paged searches and writes one LDAP operation per change; 500 users are one task.
  - Delete protection (O(max_deletes), O(max_delete_percent)) counts the users the run would delete; the objects in
    scope are the domain's user accounts (computers left out), counted with one DN-only search when the share limit
    can decide. Above a limit no user of the task is written and the task fails.
seealso:
  - module: hybrid.identity.ad_user_info
  - module: hybrid.identity.ad_upn_suffix
  - module: microsoft.ad.user
'''

EXAMPLES = r'''
- name: Create or update users (connection from HYBRID_IDENTITY_* environment variables)
  hybrid.identity.ad_user:
    users:
      - name: José Müller
        given_name: José
        surname: Müller
        upn: jose.muller@contoso.com
        path: OU=Staff,DC=corp,DC=example,DC=local
        password: "{{ initial_password }}"
        password_expired: true
        groups:
          add: [Staff]
      - name: Sean O'Brien
        given_name: Sean
        surname: O'Brien
        email: sean.obrien@contoso.com
        attributes:
          set:
            extensionAttribute1: "cost center 42"

- name: Set the AD connection once for all AD tasks of a play
  hosts: localhost
  module_defaults:
    group/hybrid.identity.ad:
      domain_server: [dc1.corp.example.com, dc2.corp.example.com]
      domain_username: svc-identity@corp.example.com
      domain_password: "{{ vault_ad_password }}"
      ca_path: /etc/pki/corp-ca.pem
  tasks:
    - name: Disable leavers (identity may be a sAMAccountName, UPN, DN, objectGUID or objectSid)
      hybrid.identity.ad_user:
        users:
          - identity: jdoe
            enabled: false
          - identity: mary@contoso.com
            enabled: false

- name: Delete leavers (one state for the whole list)
  hybrid.identity.ad_user:
    state: absent
    users:
      - identity: jdoe
      - identity: mary@contoso.com

- name: Delete a whole closed site's users, above the default delete limits on purpose
  hybrid.identity.ad_user:
    state: absent
    users: "{{ closed_site_users }}"
    max_deletes: 800
    max_delete_percent: 40

- name: Unlock a user locked out by failed logons, and reset another's password on every run
  hybrid.identity.ad_user:
    users:
      - identity: jdoe
        account_locked: false
      - identity: kiosk01
        password: "{{ kiosk_password }}"
        update_password: always
'''

RETURN = r'''
users:
  description: One result per listed user, in input order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The user's label (its name, else identity, sAMAccountName or UPN).
      type: str
      sample: José Müller
    action:
      description: What was done (or, in check mode, would be done).
      type: str
      sample: created
      choices: [created, updated, unchanged, deleted, absent, failed]
    changed_attributes:
      description: The options that changed.
      type: list
      elements: str
      sample: [display_name, groups]
    id:
      description: The objectGUID (as O(users[].identity) accepts it); absent for users not created yet.
      type: str
      returned: when the user exists
    distinguished_name:
      description: The distinguished name (the planned one in check mode).
      type: str
      sample: CN=José Müller,OU=Staff,DC=corp,DC=example,DC=local
    dn:
      description: The same as RV(users[].distinguished_name) (its earlier name).
      type: str
      sample: CN=José Müller,OU=Staff,DC=corp,DC=example,DC=local
    sid:
      description: The objectSid as a string; V(null) in check mode for a user not created yet.
      type: str
      sample: S-1-5-21-4151808797-3430561092-2843464588-1104
    object_guid:
      description: The objectGUID; V(null) in check mode for a user not created yet.
      type: str
      sample: 00112233-4455-6677-8899-aabbccddeeff
    immutable_id:
      description: Base64 of the objectGUID bytes, the Entra onPremisesImmutableId (hard-match anchor).
      type: str
      sample: MyIRAFVEd2aImaq7zN3u/w==
    sam_account_name:
      description: The sAMAccountName (derived, for new users without one).
      type: str
      sample: jose.muller
    upn:
      description: The userPrincipalName.
      type: str
      sample: jose.muller@contoso.com
    attributes:
      description:
        - The O(return_attributes) of the user, by the names asked for; a single value as a string, several as a
          list, V(null) when the user has none (or does not exist yet in check mode).
      type: dict
      returned: when O(return_attributes) is set
      sample: {msDS-cloudExtensionAttribute1: 0a1b2c3d-4e5f-6789-abcd-ef0123456789}
    error:
      description:
        - Why the user failed, and the fix.
        - When the run was refused over a delete limit, every user it would have written has that refusal here.
      type: str
      returned: when action is failed
summary:
  description: How many users got each action, and the total.
  returned: always
  type: dict
  sample: {created: 2, updated: 0, unchanged: 498, deleted: 0, absent: 0, failed: 0, total: 500}
ldap_operations:
  description: The LDAP operations the run used (searches, result pages, writes).
  returned: always
  type: dict
  sample: {searches: 4, pages: 4, writes: 0}
domain_controller:
  description: The DC the module talked to (host:port).
  returned: always
  type: str
  sample: dc1.corp.example.com:636
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hybrid.identity.plugins.module_utils._bulk import BulkResults
from ansible_collections.hybrid.identity.plugins.module_utils._ldap_client import LdapClient
from ansible_collections.hybrid.identity.plugins.module_utils._ad_user_args import ad_user_argument_spec
from ansible_collections.hybrid.identity.plugins.module_utils._ad_errors import ADError
from ansible_collections.hybrid.identity.plugins.module_utils._ad_user_engine import UserEngine
from ansible_collections.hybrid.identity.plugins.module_utils._delete_guard import check_limits, guard_from
from ansible_collections.hybrid.identity.plugins.module_utils._scrub import use_linear_scrub


def main():
    module = AnsibleModule(
        argument_spec=ad_user_argument_spec(),
        supports_check_mode=True,
    )
    use_linear_scrub(module)   # one password per user: Ansible's own scrub is users x users
    results = BulkResults(module, key="users")
    bad_limits = check_limits(module.params["max_deletes"], module.params["max_delete_percent"])
    if bad_limits:
        module.fail_json(msg=bad_limits)
    try:
        client = LdapClient.from_module(module).connect()
    except ADError as exc:
        module.fail_json(msg=exc.message)
    try:
        engine = UserEngine(client, module.params["users"], check_mode=module.check_mode, warn=module.warn,
                            return_attributes=module.params["return_attributes"], state=module.params["state"],
                            update_password=module.params["update_password"],
                            delete_guard=guard_from("ad_user", module.params, where="the domain"))
        engine.run()
    except ADError as exc:
        module.fail_json(msg=exc.message, ldap_operations=client.stats, domain_controller=client.server)
    finally:
        client.close()
    for outcome in engine.outcomes():
        if outcome.get("error"):
            results.fail(outcome["name"], outcome["error"], **outcome["extra"])
        else:
            results.add(outcome["name"], outcome["action"], id=outcome["extra"].get("object_guid"),
                        changed=outcome["changed"], before=outcome["before"], after=outcome["after"],
                        **outcome["extra"])
    results.exit(refusal=engine.refusal, ldap_operations=client.stats, domain_controller=client.server)


if __name__ == "__main__":
    main()
