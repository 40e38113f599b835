#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Longer than ~400 lines because DOCUMENTATION, EXAMPLES and RETURN are most of it; the logic lives in module_utils.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: cloud_user
short_description: Create, update and delete Microsoft 365 (Entra ID) users in bulk
version_added: 0.1.0
description:
  - Manages cloud users the way an admin does in the Microsoft 365 admin center, many in one task, through
    Microsoft Graph.
  - Option and return names follow C(azure.azcollection.azure_rm_aduser) where they mean the same (its names are
    aliases here, for example O(users[].object_id) and O(users[].immutable_id)); one task takes a list of users.
  - Set-oriented; one task takes a list of users (O(users)). Their current state is read in one paged listing or
    in batched C(in) filters (whichever needs fewer requests); creates, updates and deletes go through C($batch)
    requests of 20.
  - Each user succeeds or fails on its own. The module converges every other user and fails at the end,
    naming each user that failed and why.
  - Nothing that is already as asked is written; a second run reports C(changed=false).
  - Users mastered by a directory sync engine (Entra Connect, Cloud Sync; C(onPremisesSyncEnabled)) are never
    written; such a user fails with a message saying to change it on-premises.
  - The domain of every UPN that is created or renamed is checked against the tenant's verified domains once per
    run; users with an unverified domain fail, naming the domain.
  - Deleting (O(state=absent)) is a soft delete; Entra keeps the user restorable for 30 days.
  - Delete protection (O(max_deletes), O(max_delete_percent)) counts the users the run would delete; the objects in
    scope are the tenant's users (members and guests, one C(GET /users/$count) when the share limit can decide).
    Above a limit no user of the task is written and the task fails.
author:
  - hybrid.identity contributors (@hybrid-identity)
extends_documentation_fragment:
  - hybrid.identity.cloud_connection
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
      user_principal_name:
        description:
          - The user's sign-in name, C(local@domain). The domain must be a verified domain of the tenant.
          - Identifies the user unless O(users[].id) is set; with O(users[].id), a different value renames the user.
        type: str
        required: true
        aliases: [upn]
      id:
        description:
          - The user's object id. When set, the user is found by id, so its UPN can be changed.
        type: str
        aliases: [object_id]
      state:
        description:
          - Overrides O(state) for this user.
        type: str
        choices: [present, absent]
      display_name:
        description:
          - The name shown in the address book.
          - Defaults on create to O(users[].given_name) and O(users[].surname), else the UPN's local part.
        type: str
      given_name:
        description: First name.
        type: str
      surname:
        description: Last name.
        type: str
      mail_nickname:
        description:
          - The mail alias. Derived on create from the UPN's local part when not set.
        type: str
      account_enabled:
        description:
          - Whether the user can sign in. New users are enabled unless this is V(false).
        type: bool
      usage_location:
        description:
          - Two-letter country code (ISO 3166) where the user uses services; needed before licenses can be assigned.
        type: str
      job_title:
        description: Job title.
        type: str
      department:
        description: Department.
        type: str
      office_location:
        description: Office.
        type: str
      business_phones:
        description:
          - Office phone numbers (Graph keeps one). An empty list clears it.
        type: list
        elements: str
      mobile_phone:
        description: Mobile phone number.
        type: str
      employee_id:
        description: Employee id.
        type: str
      company_name:
        description: Company name.
        type: str
      street_address:
        description: Street address.
        type: str
      city:
        description: City.
        type: str
      state_province:
        description: State or province (Graph's C(state)).
        type: str
      postal_code:
        description: Postal code.
        type: str
      country:
        description: Country or region.
        type: str
      on_premises_immutable_id:
        description:
          - The hard-match anchor Entra Connect uses, base64 of the AD objectGUID bytes. An empty string clears it.
        type: str
        aliases: [immutable_id]
      mail:
        description:
          - The user's primary SMTP address (Graph's C(mail)); Graph also adds it to the user's C(proxyAddresses).
            An empty string clears it. Compared case-insensitively.
          - An address another user already holds (as its C(mail) or one of its C(proxyAddresses)) is never
            taken; such a user fails before anything is written, naming the holder. (Groups and contacts holding
            the address are not read first; Graph refuses that write, and the user fails then.)
        type: str
      user_type:
        description:
          - V(Member) or V(Guest) (Graph's C(userType)). New users are members unless this says otherwise.
        type: str
        choices: [Member, Guest]
      password:
        description:
          - The password. Required to create a user. Sent on create, and on every run with
            O(update_password=always). Never returned, logged or shown in a diff.
          - C(password_profile) is azure_rm_aduser's name for it; O(update_password) decides when it is sent
            whichever name is used.
        type: str
        aliases: [password_profile]
      force_change_password_next_sign_in:
        description:
          - Whether the user must change the password at the next sign-in. Only sent together with
            O(users[].password) (Graph cannot read it back); defaults to V(false), which keeps
            on-premises password sync working.
        type: bool
        aliases: [password_force_change]
      update_password:
        description:
          - This user's O(update_password), overriding the module's (as M(hybrid.identity.ad_user) has it per user).
        type: str
        choices: [on_create, always]
      create_only:
        description:
          - V(true) only creates this user. A user that exists already under its UPN fails with the holder named
            and is never changed. (A new user never takes an address another user holds as C(mail) or in
            C(proxyAddresses), whatever this option says.)
          - The one exception is a user whose C(onPremisesImmutableId) is the O(users[].on_premises_immutable_id)
            given here, that is the create of an earlier, interrupted run of the same job.
          - The creating playbooks set it so that a new hire never takes over an existing mailbox.
        type: bool
        default: false
      restore_deleted:
        description:
          - V(true) brings the user back from the tenant's deleted users (C(/directory/deletedItems), 30 days) when
            it is not among the active ones, by O(users[].id) (needed), before anything else is changed. It comes back
            with its id, its anchor and, where the seats are still free, its licences; the result is V(updated) with
            C(restored) in RV(users[].changed_attributes).
          - Without it (the default) a user that was deleted is created anew, as any missing user is.
            M(hybrid.identity.method_run)'s C(restore_users) job sets it.
        type: bool
        default: false
      revoke_sessions:
        description:
          - V(true) revokes the user's sign-in sessions in this run (C(POST /users/{id}/revokeSignInSessions)); its
            refresh tokens and session cookies stop working, and a blocked user's open apps must sign in again, which
            they cannot. It runs after any change to the user, so give it with O(users[].account_enabled=false)
            to block first and then revoke.
          - It is an action, not a state. Every run that is given it revokes again and reports the user
            V(updated). M(hybrid.identity.method_run) (the C(offboard_users) job) gives it only to users it has not
            finished offboarding.
          - Needs C(User.RevokeSessions.All) (or C(User.ReadWrite.All)). Ignored with O(users[].state=absent) and
            for a user this run creates.
        type: bool
        default: false
      password_policies:
        description:
          - Password policies. An empty list means none (the default policies).
        type: list
        elements: str
        choices: [DisablePasswordExpiration, DisableStrongPassword]
  state:
    description:
      - V(present) creates or updates the users, V(absent) deletes them (soft delete).
    type: str
    choices: [present, absent]
    default: present
  update_password:
    description:
      - V(on_create) sets O(users[].password) only when creating a user; V(always) sets it on every run
        (and so reports a change on every run).
    type: str
    choices: [on_create, always]
    default: on_create
  update_immutable_id:
    description:
      - V(always) sets O(users[].on_premises_immutable_id) on new and existing users (the link is then
        written without the checks of M(hybrid.identity.account_link)).
      - V(on_create) sends it only in the create of a new user and leaves existing users' anchors to
        M(hybrid.identity.account_link). Onboarding uses this to link a user it has just created in AD
        in the same write that creates the cloud user.
    type: str
    choices: [on_create, always]
    default: always
attributes:
  action_group:
    description: Use C(group/hybrid.identity.cloud) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - hybrid.identity.cloud
seealso:
  - module: hybrid.identity.cloud_user_info
  - module: hybrid.identity.cloud_license
  - module: hybrid.identity.cloud_tenant_info
'''

EXAMPLES = r'''
- name: Create or update cloud users (connection from the environment, see docs/cloud-users.md)
  hybrid.identity.cloud_user:
    users:
      - user_principal_name: alice@contoso.com
        given_name: Alice
        surname: Andersen
        usage_location: DK
        department: Sales
        password: "{{ vault_initial_password }}"
        force_change_password_next_sign_in: true
      - user_principal_name: bob@contoso.com
        display_name: Bob Brown
        job_title: Engineer
        password: "{{ vault_initial_password }}"

- name: Disable one user and delete another
  hybrid.identity.cloud_user:
    users:
      - user_principal_name: carol@contoso.com
        account_enabled: false
      - user_principal_name: dave@contoso.com
        state: absent

- name: Delete this year's interns, more than 10 % of a small tenant, on purpose
  hybrid.identity.cloud_user:
    state: absent
    users: "{{ interns }}"   # [{user_principal_name: ...}, ...]
    max_delete_percent: 30

- name: Anchor a cloud user to its AD user for a later move to Entra Connect (hard match)
  hybrid.identity.cloud_user:
    users:
      - user_principal_name: erin@contoso.com
        on_premises_immutable_id: MyIRAFVEd2aImaq7zN3u/w==

- name: Set a primary address and mark a user as a guest, with azure_rm_aduser's names
  hybrid.identity.cloud_user:
    users:
      - object_id: 6d1f1b7e-3f5b-4c38-9f2a-0a1b2c3d4e5f
        user_principal_name: gina@contoso.com
        mail: gina.smith@contoso.com
        immutable_id: MyIRAFVEd2aImaq7zN3u/w==
      - user_principal_name: hank@contoso.com
        user_type: Guest

- name: Same connection for every cloud task of a play
  module_defaults:
    group/hybrid.identity.cloud:
      tenant_id: "{{ tenant_id }}"
      client_id: "{{ client_id }}"
      client_certificate_path: /etc/ansible/graph-app.pem
  block:
    - name: Rename a user, found by id
      hybrid.identity.cloud_user:
        users:
          - id: 6d1f1b7e-3f5b-4c38-9f2a-0a1b2c3d4e5f
            user_principal_name: frank.new@contoso.com
'''

RETURN = r'''
users:
  description: One entry per user, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The user's UPN as given.
      type: str
      sample: alice@contoso.com
    action:
      description: What happened (or, in check mode, would happen).
      type: str
      sample: created
      choices: [created, updated, unchanged, deleted, absent, failed]
    id:
      description: The user's object id (not known in check mode for a user to create).
      type: str
      sample: 6d1f1b7e-3f5b-4c38-9f2a-0a1b2c3d4e5f
      returned: when the user exists
    object_id:
      description: The same as RV(users[].id), under azure_rm_aduser's name.
      type: str
      sample: 6d1f1b7e-3f5b-4c38-9f2a-0a1b2c3d4e5f
      returned: when the user exists
    changed_attributes:
      description: The options that changed (C(password) when a password was set).
      type: list
      elements: str
      sample: [department, job_title]
    on_premises_immutable_id:
      description:
        - The user's onPremisesImmutableId (the AD anchor it is linked to) as the run leaves it, V(null) when it has
          none. Together with O(users[].user_principal_name) it lets a playbook (or hybrid.identity.method_run) see
          that a user is already linked without reading it again.
      type: str
      returned: when the user exists or is created (not for deleted users)
      sample: MyIRAFVEd2aImaq7zN3u/w==
    user_type:
      description: V(Member) or V(Guest), as the run leaves it.
      type: str
      returned: when the user exists or is created (not for deleted users)
      sample: Member
    assigned_sku_ids:
      description: The skuIds of the licenses assigned to the user (as read; empty for a user the run creates).
      type: list
      elements: str
      returned: when the user exists or is created (not for deleted users)
      sample: [f245ecc8-75af-4f8e-b61f-27d8114de5f3]
    created_date_time:
      description: When the user was created (C(createdDateTime), as read; empty for a user the run creates).
      type: str
      returned: when the user exists or is created (not for deleted users)
      sample: "2026-12-01T10:00:05Z"
    revoked_sessions:
      description: V(true) when its sign-in sessions were revoked (or, in check mode, would be); see O(users[].revoke_sessions).
      type: bool
      returned: when O(users[].revoke_sessions) was given for an existing user
      sample: true
    error:
      description:
        - Why the user failed, naming the fix where known.
        - When the run was refused over a delete limit, every user it would have written has that refusal here.
      type: str
      returned: when action is failed
summary:
  description: The number of users per action, and the total.
  returned: always
  type: dict
  sample: {created: 2, updated: 1, unchanged: 7, deleted: 0, absent: 0, failed: 0, total: 10}
graph:
  description: Request statistics of the run (HTTP requests, batches, retries, writes, throttled answers).
  returned: always
  type: dict
  sample: {requests: 3, batches: 1, batched_requests: 20, retries: 0, writes: 20, throttled: 0, token_refreshes: 0}
diff:
  description: Per user, the attributes before and after (passwords as C((hidden))), in diff mode.
  returned: when diff mode is on
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hybrid.identity.plugins.module_utils._bulk import BulkResults
from ansible_collections.hybrid.identity.plugins.module_utils._cloud_claims import (
    address_requests, claim_errors, claimed_addresses, holders_from, is_own_create, read_address_holders,
    taken_message)
from ansible_collections.hybrid.identity.plugins.module_utils._cloud_common import (
    cloud_argument_spec, connect, fail_graph, refuse_deletes)
from ansible_collections.hybrid.identity.plugins.module_utils._delete_guard import check_limits, delete_argument_spec
from ansible_collections.hybrid.identity.plugins.module_utils._cloud_user_map import (
    USER_FIELDS, USER_SELECT, add_object_ids, check_domain, check_mail, check_upn, current_for_plan, desired_of,
    to_remote, user_facts)
from ansible_collections.hybrid.identity.plugins.module_utils._graph_batch import SubRequest
from ansible_collections.hybrid.identity.plugins.module_utils._graph_errors import GraphError
from ansible_collections.hybrid.identity.plugins.module_utils._plan import plan_object
from ansible_collections.hybrid.identity.plugins.module_utils._scrub import use_linear_scrub

USER_OPTIONS = dict(
    user_principal_name=dict(type="str", required=True, aliases=["upn"]),
    id=dict(type="str", aliases=["object_id"]),
    state=dict(type="str", choices=["present", "absent"]),
    display_name=dict(type="str"),
    given_name=dict(type="str"),
    surname=dict(type="str"),
    mail_nickname=dict(type="str"),
    account_enabled=dict(type="bool"),
    usage_location=dict(type="str"),
    job_title=dict(type="str"),
    department=dict(type="str"),
    office_location=dict(type="str"),
    business_phones=dict(type="list", elements="str"),
    mobile_phone=dict(type="str"),
    employee_id=dict(type="str"),
    company_name=dict(type="str"),
    street_address=dict(type="str"),
    city=dict(type="str"),
    state_province=dict(type="str"),
    postal_code=dict(type="str"),
    country=dict(type="str"),
    on_premises_immutable_id=dict(type="str", aliases=["immutable_id"]),
    mail=dict(type="str"),
    user_type=dict(type="str", choices=["Member", "Guest"]),
    password=dict(type="str", no_log=True, aliases=["password_profile"]),
    force_change_password_next_sign_in=dict(type="bool", aliases=["password_force_change"]),
    password_policies=dict(type="list", elements="str",
                           choices=["DisablePasswordExpiration", "DisableStrongPassword"]),
    create_only=dict(type="bool", default=False),
    update_password=dict(type="str", choices=["on_create", "always"], no_log=False),
    revoke_sessions=dict(type="bool", default=False),
    restore_deleted=dict(type="bool", default=False),
)

CONFLICT_WAIT = 60.0
SYNCED = ("the user is mastered by a directory sync engine (onPremisesSyncEnabled: Entra Connect or Cloud Sync); "
          "change it in on-premises AD, not in the cloud")


class Entry(object):
    """One listed user on its way through read -> plan -> write."""

    def __init__(self, index, spec, state):
        self.index = index
        self.spec = spec
        self.name = spec["user_principal_name"]
        self.key = spec.get("id") or spec["user_principal_name"]
        self.state = spec.get("state") or state
        self.current = None
        self.plan = None
        self.error = None
        self.result = None
        self.revoke = False    # revokeSignInSessions after the user's own write (if any)
        self.restore = False   # in the deleted users: restored before its own write


def reconcile(module, client, live, answers):
    clashes = [e for e in live if e.plan is not None and e.plan.action == "create" and answers.get(e.index) is not None
               and not answers[e.index].ok and answers[e.index].error.is_conflict
               and "userprincipalname" in answers[e.index].error.message.lower()]
    if not clashes:
        return
    found = client.wait_for_users([e.name for e in clashes], USER_SELECT, budget=CONFLICT_WAIT)
    subs = []
    for entry in clashes:
        user = found.get(entry.name.lower())
        if user is None:
            continue   # another kind of object holds the UPN: keep Graph's conflict error
        entry.current = user
        if entry.spec.get("create_only") and not is_own_create(user, entry.spec):
            # someone else's account appeared under the UPN between our read and our create
            entry.error = taken_message(entry.name, user)
            answers.pop(entry.index, None)
            continue
        entry.plan = plan_object(USER_FIELDS, desired_of(entry.spec, module.params, False),
                                 current_for_plan(user))
        if entry.plan.writes and user.get("onPremisesSyncEnabled"):
            entry.error = "%s (would change: %s)" % (SYNCED, ", ".join(entry.plan.changed))
        elif entry.plan.writes:
            subs.append(SubRequest(entry.index, "PATCH", "/users/%s" % user["id"], body=to_remote(entry.plan.changes),
                                   target=entry.name, known_object=True))
        answers.pop(entry.index, None)
    if subs:
        answers.update(client.batch(subs))


def find_deleted(client, live, found):
    """The users asked with restore_deleted that are not active, from the deleted users by id: {key: user}."""
    wanted = [e for e in live if e.spec.get("restore_deleted") and e.spec.get("id") and e.state == "present"
              and e.key.lower() not in found]
    if not wanted:
        return {}
    select = ",".join(sorted(set(USER_SELECT) | {"deletedDateTime"}))
    answers = client.batch([SubRequest(e.index, "GET", "/directory/deletedItems/%s?$select=%s" % (e.spec["id"], select),
                                       target=e.name) for e in wanted])
    out = {}
    for entry in wanted:
        answer = answers.get(entry.index)
        if answer is not None and answer.ok and (answer.body or {}).get("deletedDateTime"):
            out[entry.key.lower()] = answer.body
    return out


def restore_users(module, client, live):
    """POST /directory/deletedItems/{id}/restore for the users found there: {entry index: answer}."""
    subs = [SubRequest(e.index, "POST", "/directory/deletedItems/%s/restore" % e.current["id"], target=e.name)
            for e in live if e.restore and e.error is None]
    if not subs:
        return {}
    try:
        answers = client.batch(subs)
    except GraphError as exc:
        fail_graph(module, exc, graph=client.stats)
    for entry in live:
        if entry.restore and answers.get(entry.index) is not None and answers[entry.index].ok:
            client.known_ids.add(entry.current["id"])   # just restored: a 404 on it is replication delay
    return answers


def revoke_sessions(module, client, live, answers):
    """revokeSignInSessions for the users asked, once their own write (if any) went through: a user is
    blocked before its sessions are revoked, so no new session starts in between. {entry index: answer}."""
    subs = []
    for entry in live:
        if not entry.revoke or entry.error is not None or entry.current is None or entry.plan.action == "delete":
            continue
        answer = answers.get(entry.index)
        if entry.plan.writes and (answer is None or not answer.ok):
            entry.revoke = False   # its own write failed: that failure is its result
            continue
        subs.append(SubRequest(entry.index, "POST", "/users/%s/revokeSignInSessions" % entry.current["id"],
                               target=entry.name, known_object=True))
    if not subs:
        return {}
    try:
        return client.batch(subs)
    except GraphError as exc:
        fail_graph(module, exc, graph=client.stats)


def main():
    module = AnsibleModule(
        argument_spec=cloud_argument_spec(
            users=dict(type="list", elements="dict", required=True, options=USER_OPTIONS),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            update_password=dict(type="str", default="on_create", choices=["on_create", "always"], no_log=False),
            update_immutable_id=dict(type="str", default="always", choices=["on_create", "always"]),
            **delete_argument_spec()
        ),
        supports_check_mode=True,
    )
    use_linear_scrub(module)   # one password per user: Ansible's own scrub is users x users
    results = BulkResults(module, key="users")
    bad_limits = check_limits(module.params["max_deletes"], module.params["max_delete_percent"])
    if bad_limits:
        module.fail_json(msg=bad_limits)
    entries = [Entry(i, spec, module.params["state"]) for i, spec in enumerate(module.params["users"])]
    seen = {}
    for entry in entries:
        problem = None
        if entry.state == "present":
            problem = check_upn(entry.name) or (check_mail(entry.spec["mail"]) if entry.spec.get("mail") else None)
        fold = entry.key.lower()
        if fold in seen:
            problem = "listed twice in users (also entry %d); list each user once" % (seen[fold] + 1)
        seen.setdefault(fold, entry.index)
        entry.error = problem

    client = connect(module)
    live = [e for e in entries if e.error is None]
    try:
        need_domains = any(e.state == "present" for e in live)
        extra = [SubRequest("domains", "GET", "/domains?$select=id,isVerified")] if need_domains else []
        # Users that may only be created are new: who holds their addresses rides in the batch that reads them.
        early = [a for e in live if e.spec.get("create_only") and e.state == "present"
                 for a in (e.name, e.spec.get("mail")) if a]
        early_subs = address_requests(early, prefix="__early")
        keys = [e.key for e in live]
        found, extra_results, _strategy = client.read_users(keys, USER_SELECT, extra=extra + early_subs)
        early_holders = holders_from(extra_results, early_subs)
        verified = set()
        if need_domains:
            answer = extra_results["domains"]
            if not answer.ok:
                raise answer.error.for_object("GET /domains")
            verified = set(d["id"].lower() for d in (answer.body or {}).get("value", []) if d.get("isVerified"))
    except GraphError as exc:
        fail_graph(module, exc, users=[], graph=client.stats)

    try:
        found.update(find_deleted(client, live, found))
    except GraphError as exc:
        fail_graph(module, exc, users=[], graph=client.stats)

    # plan ----------------------------------------------------------------------------------
    for entry in live:
        user = found.get(entry.key.lower())
        entry.current = user
        entry.restore = bool(user and user.get("deletedDateTime"))
        if entry.state == "absent":
            entry.plan = plan_object(USER_FIELDS, {}, current_for_plan(user), state="absent")
            if entry.plan.writes and user.get("onPremisesSyncEnabled"):
                entry.error = SYNCED
            continue
        creating = user is None
        if not creating and entry.spec.get("create_only") and not is_own_create(user, entry.spec):
            entry.error = taken_message(entry.name, user)
            continue
        desired = desired_of(entry.spec, module.params, creating)
        entry.plan = plan_object(USER_FIELDS, desired, current_for_plan(user))
        if entry.restore and not entry.plan.writes:
            entry.plan.action = "update"   # the restore itself is the write
        entry.revoke = bool(entry.spec.get("revoke_sessions")) and not creating
        if creating and entry.spec.get("restore_deleted"):
            entry.error = ("%s is neither among the active nor among the deleted users (deleted more than 30 days ago, "
                           "or deleted for good); it cannot be restored" % (entry.spec.get("id") or entry.name))
        elif creating:
            if not entry.spec.get("password"):
                entry.error = "password is required to create %s" % entry.name
            else:
                entry.error = check_domain(entry.name, verified)
        else:
            if "user_principal_name" in entry.plan.changed:
                entry.error = check_domain(entry.name, verified)
            if entry.error is None and entry.plan.writes and user.get("onPremisesSyncEnabled"):
                entry.error = "%s (would change: %s)" % (SYNCED, ", ".join(entry.plan.changed))

    # No write may take an address another object receives mail at (mail or proxyAddresses): a new user's
    # UPN and mail, a mail an existing user changes to.
    claims = [(e.index, e.name, (e.current or {}).get("id"), claimed_addresses(e.name, e.plan.action, e.plan.changes))
              for e in live if e.error is None and e.plan is not None]
    claims = [c for c in claims if c[3]]
    if claims:
        holders = dict(early_holders)
        asked = set(a.lower() for a in early)
        rest = sorted(set(a for c in claims for _k, a in c[3] if a.lower() not in asked))
        try:
            holders.update(read_address_holders(client, rest) if rest else {})
        except GraphError as exc:
            fail_graph(module, exc, graph=client.stats)
        errors = claim_errors(claims, holders)
        for entry in live:
            entry.error = errors.get(entry.index, entry.error)

    refusal = refuse_deletes(module, client, live)   # over a delete limit nothing is written

    # write ---------------------------------------------------------------------------------
    restored = restore_users(module, client, live) if not module.check_mode else {}
    subs = []
    for entry in live:
        if entry.error is not None or not entry.plan.writes or module.check_mode:
            continue
        user = entry.current
        if entry.plan.action == "create":
            subs.append(SubRequest(entry.index, "POST", "/users", body=to_remote(entry.plan.changes),
                                   target=entry.name))
        elif entry.restore and (not restored.get(entry.index) or not restored[entry.index].ok
                                or not entry.plan.changes):
            continue   # a failed restore is the user's result; a restore alone needs no PATCH
        elif entry.plan.action == "update":
            subs.append(SubRequest(entry.index, "PATCH", "/users/%s" % user["id"], body=to_remote(entry.plan.changes),
                                   target=entry.name, known_object=True))
        elif entry.plan.action == "delete":
            subs.append(SubRequest(entry.index, "DELETE", "/users/%s" % user["id"], target=entry.name))
    answers = {}
    batch_error = None
    if subs:
        try:
            answers = client.batch(subs)
        except GraphError as exc:
            # The batch itself failed (auth, network): every write not answered fails with it.
            for sub in subs:
                answers.setdefault(sub.key, None)
            batch_error = exc

    # A create that Graph refuses because the UPN exists: the user is there but not listed yet
    # (created moments ago: replication delay), or our own create went through before a dropped
    # connection. Wait until it shows, then converge it like any existing user.
    if answers and not module.check_mode:
        try:
            reconcile(module, client, live, answers)
        except GraphError as exc:
            fail_graph(module, exc, graph=client.stats)

    revoked = revoke_sessions(module, client, live, answers) if not module.check_mode else {}

    # results -------------------------------------------------------------------------------
    for entry in entries:
        if entry.error is not None:
            extra = {"id": entry.current["id"]} if entry.current else {}
            results.fail(entry.name, entry.error, **extra)
            continue
        plan = entry.plan
        current_id = entry.current["id"] if entry.current else None
        past = {"create": "created", "update": "updated", "delete": "deleted"}
        facts = user_facts(entry.current, plan)
        if entry.restore:
            answer = restored.get(entry.index)
            if not module.check_mode and (answer is None or not answer.ok):
                results.fail(entry.name, "restoring it from the deleted users: %s" % (
                    answer.error.text(False) if answer is not None else "no answer from Graph"), id=current_id)
                continue
            plan.changed = ["restored"] + list(plan.changed)
            plan.before = dict(plan.before, deleted=entry.current.get("deletedDateTime"))
            plan.after = dict(plan.after, deleted=None)
            if not plan.changes:
                results.add(entry.name, "updated", id=current_id, changed=plan.changed, before=plan.before,
                            after=plan.after, **facts)
                continue
        if entry.revoke:
            facts["revoked_sessions"] = True
            if not module.check_mode and entry.index in revoked and not revoked[entry.index].ok:
                results.fail(entry.name, "revoking its sign-in sessions: %s" % revoked[entry.index].error.text(False),
                             id=current_id)
                continue
            if not plan.writes:
                results.add(entry.name, "updated", id=current_id, changed=["sign_in_sessions"],
                            before={"sign_in_sessions": "valid"}, after={"sign_in_sessions": "revoked"}, **facts)
                continue
        if not plan.writes:
            results.add(entry.name, plan.action, id=current_id, **facts)
            continue
        if module.check_mode:
            results.add(entry.name, past[plan.action], id=current_id, changed=plan.changed,
                        before=plan.before, after=plan.after, **facts)
            continue
        answer = answers.get(entry.index)
        if answer is None:
            results.fail(entry.name, batch_error.text(False) if batch_error else "no answer from Graph",
                         id=current_id)
        elif answer.ok or (plan.action == "delete" and answer.status == 404):
            new_id = current_id
            if plan.action == "create":
                new_id = (answer.body or {}).get("id")
                if new_id:
                    client.known_ids.add(new_id)
            results.add(entry.name, past[plan.action], id=new_id, changed=plan.changed,
                        before=plan.before, after=plan.after, **facts)
        else:
            results.fail(entry.name, answer.error.text(False), id=current_id)
    add_object_ids(results.items)
    results.exit(refusal=refusal, graph=client.stats)


if __name__ == "__main__":
    main()
