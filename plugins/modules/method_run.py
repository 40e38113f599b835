#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: method_run
short_description: Run one of the methods (the four, and offboarding) on the collection's one engine, chunk by chunk
version_added: 1.0.0
description:
  - Runs on the controller (action plugin). The engine behind the roles P(hybrid.identity.onboard_new_users#role),
    P(hybrid.identity.add_cloud_accounts#role), P(hybrid.identity.import_cloud_accounts#role) and
    P(hybrid.identity.link_accounts#role), P(hybrid.identity.offboard_users#role) and
    P(hybrid.identity.restore_users#role) (ansible-doc -t role), which are the documented way to use it. A method is a
    table of steps; every method goes through the same passes.
  - "B(Input.) O(method=onboard_new_users) reads rows (O(users) or O(csv)); O(method=add_cloud_accounts) reads the
    chosen AD users (M(hybrid.identity.ad_user_info)) and maps them (O(attribute_map)); O(method=import_cloud_accounts)
    reads the chosen cloud users (M(hybrid.identity.cloud_user_info)) and leaves out guests, synced, linked, admin,
    shared-mailbox-like and disabled ones (O(include)); O(method=link_accounts) reads pairs (O(users) or O(csv)) and
    O(rules). Every row or user is checked before anything is written; one bad one stops the run, and every bad one
    is named with its fix."
  - "B(Plan.) Every step in check mode over all users (in chunks of O(plan_chunk_size)), reads only. In check mode
    this is the result; otherwise only the users with something to do go on to the writes."
  - "B(Preflight), on the plan and shared by check mode. Never takes over an account: a user whose username, UPN or
    mail address an existing AD or cloud account holds fails with the holder named (and the fix: another name, or
    P(hybrid.identity.link_accounts#role) to pair them), unless what exists is this job's own: the same person's pair (the
    cloud user's anchor is the AD user's objectGUID) or the account an interrupted run created (see
    O(password_file)). The write chunks pass C(create_only) to M(hybrid.identity.ad_user) and
    M(hybrid.identity.cloud_user) for every user the plan saw as new, so an account that appears between the plan
    and the write is refused too. A user the plan fails for any reason is not written at all. The run stops before
    any write when a directory sync engine is in charge of the tenant (O(directory_sync_enabled)) or a SKU has fewer
    free units than the whole run assigns (O(tenant_skus)). Delete protection (O(max_deletes), O(max_delete_percent))
    is judged here over the whole run, for every step that can delete or unlink (of the methods, V(offboard_users)
    with O(delete_after_days)): the objects in scope are the users the run was given unless the job says otherwise
    (V(offboard_users) counts the tenant's and the domain's users). Above a limit nothing is written, every write the plan held fails with the refusal in the
    report and the summary, and the task fails."
  - "B(Writes), per chunk of O(chunk_size), one module run per step with a progress line. Steps whose predecessors are
    done run at the same time on a local connection without become, and the first step of chunk k+1 runs while the
    rest of chunk k does (the DC, which takes one write at a time, stays busy); an interrupted run leaves at most two
    chunks half done, and a rerun converges them. Users linked or licensed already (seen in the results of the
    steps before) skip M(hybrid.identity.account_link) and M(hybrid.identity.cloud_license)."
  - "B(Passwords.) Every password a run sets is first recorded in O(password_file), durably. Modules get their
    arguments through pipelining, so no AnsiballZ payload file on disk ever holds a password; a connection that
    cannot pipeline (C(become_method=su), C(keep_remote_files)) is refused when passwords are set."
  - Writes a CSV and an HTML report to O(report_dir). The users and their results never pass through Jinja (see the
    performance guide).
author:
  - hybrid.identity contributors (@hybrid-identity)
options:
  method:
    description:
      - The method. V(onboard_new_users) creates users in AD and the cloud together (steps C(ad), C(cloud),
        C(license), C(link)); V(add_cloud_accounts) gives existing AD users cloud accounts (C(cloud), C(license),
        C(link)); V(import_cloud_accounts) creates AD users for cloud accounts with temporary passwords (C(ad),
        C(cloud_password), C(link)); V(link_accounts) pairs existing accounts (C(link)); V(offboard_users) offboards
        leavers (C(ad) disable and the offboarded marker, C(cloud) block and revoke, C(license) removal; after
        O(delete_after_days), C(delete_cloud) and C(delete_ad));
        V(restore_users) undoes an offboarding from its O(record_file) (C(ad_restore) reanimates a deleted AD user,
        C(ad) enable, OU and groups, C(cloud) unblock or undelete, C(license) the recorded licences, C(unmark) the
        marker cleared).
    type: str
    required: true
    choices: [add_cloud_accounts, import_cloud_accounts, link_accounts, offboard_users, onboard_new_users, restore_users]
  chunk_size:
    description: Users per write chunk; one run of each module per chunk, and one progress line.
    type: int
    default: 500
  plan_chunk_size:
    description:
      - Users per chunk of the plan, the first pass that runs every step in check mode (reads only) to find
        the users with something to do. Bigger plan chunks mean fewer module runs and more memory per
        module process (ad_user peaked at 160 MB planning 10,000 users, 45 MB for 1,000).
      - The larger of O(chunk_size) and this is used.
    type: int
    default: 10000
  sku_ids:
    description:
      - "The tenant's SKUs as C({skuPartNumber: skuId}) (the roles build it from M(hybrid.identity.cloud_tenant_info))."
      - With it, users whose cloud account already holds every license they need are reported unchanged without
        running M(hybrid.identity.cloud_license) for them, and the licence preflight knows what they hold.
    type: dict
    default: {}
  tenant_skus:
    description:
      - The tenant's SKUs as M(hybrid.identity.cloud_tenant_info) returns them (C(sku_id), C(sku_part_number), C(free)).
      - The preflight counts the licences the whole run assigns per SKU against C(free) and stops before any
        write when one is short, naming the SKU and the counts.
    type: list
    elements: dict
    default: []
  directory_sync_enabled:
    description:
      - Whether a directory sync engine is in charge of the tenant (C(directory_sync_enabled) of
        M(hybrid.identity.cloud_tenant_info)). V(true) stops the run before any write.
    type: bool
    default: false
  default_domain:
    description: The tenant's default domain (V(add_cloud_accounts) gives it to users whose UPN suffix is not verified).
    type: str
  generate_passwords:
    description: Give users without a password one from the collection's password generator.
    type: bool
    default: true
  link_attribute:
    description: The AD attribute that holds the linked cloud object id.
    type: str
    default: msDS-cloudExtensionAttribute1
  force_password_change:
    description: Make users change the password at the next on-premises logon when their link is written.
    type: bool
    default: false
  password_file:
    description:
      - The password journal on the controller (mode 0600, or vault with O(password_file_vault)); default
        C(<report_dir>/<method>-passwords.csv). Each generated password is written here, and the file and its
        directory fsynced, before the write that sets it is sent, with the time it was recorded (C(recorded)); at the
        end of the run C(set_in) says where it was set (C(ad), C(cloud)).
      - A rerun reuses the password recorded for a user, so after any interruption every created user's password
        is in this file. An AD account found under a new user's name counts as this job's own only when this file
        recorded it just before the directory created it (C(whenCreated)); any other existing account is refused.
      - An existing file that is not a hybrid.identity password file (its first line is not
        C(upn,sam_account_name,name,password,...)) is never overwritten; the run stops before any write.
      - V(link_accounts) sets no password and writes no such file.
    type: path
  reset_unknown_passwords:
    description:
      - Users of this job that exist but whose password the password file does not hold (created before it, or the
        file was moved) are always reported. V(true) gives each a new generated password, records it, then sets it on
        every side the method sets passwords on.
    type: bool
    default: false
  password_file_vault:
    description: Vault-encrypt the password file with the run's vault password.
    type: bool
    default: false
  report_dir:
    description: Where the CSV and HTML reports go on the controller.
    type: path
    default: hybrid_identity_reports
  title:
    description: The report's title (default the method's).
    type: str
  ad_search_base:
    description: V(add_cloud_accounts) and V(link_accounts) rules, the AD users under this DN.
    type: str
    default: ""
  ad_filter:
    description: V(add_cloud_accounts) and V(link_accounts) rules, an LDAP filter the AD users must match.
    type: str
    default: ""
  ad_group:
    description: V(add_cloud_accounts) and V(link_accounts) rules, the (nested) members of this AD group.
    type: str
    default: ""
  ad_users:
    description: V(add_cloud_accounts), AD users by sAMAccountName, UPN, DN or objectGUID; a missing one stops the run.
    type: list
    elements: str
    default: []
  include_disabled:
    description: V(add_cloud_accounts), take disabled AD users too.
    type: bool
    default: false
  cloud_domain:
    description: V(add_cloud_accounts), the domain of cloud UPNs for AD users whose UPN suffix is not verified.
    type: str
    default: ""
  attribute_map:
    description:
      - V(add_cloud_accounts), C(cloud_user option -> ad_user_info field) overrides of the default mapping
        (V(null) drops one). An unknown key stops the run, naming the key and the valid ones.
    type: dict
    default: {}
  cloud_filter:
    description: V(import_cloud_accounts) and V(link_accounts) rules, an OData filter the cloud users must match.
    type: str
    default: ""
  cloud_users:
    description: V(import_cloud_accounts), cloud users by UPN or id; a missing one stops the run.
    type: list
    elements: str
    default: []
  cloud_all:
    description:
      - V(import_cloud_accounts), every cloud user of the tenant (less the kinds O(include) leaves out). Without
        O(cloud_filter) or O(cloud_users) it must be V(true), or the run is refused; an empty filter or list never
        imports the whole tenant, whose imported users' cloud passwords would all become temporary ones.
    type: bool
    default: false
  include:
    description:
      - V(import_cloud_accounts), kinds of cloud users to import that are left out by default.
    type: list
    elements: str
    default: []
  ad_groups:
    description: V(import_cloud_accounts), AD groups every imported user joins.
    type: list
    elements: str
    default: []
  rules:
    description: V(link_accounts), match rules for M(hybrid.identity.account_link) (run once, after the pairs).
    type: list
    elements: raw
    default: []
  allow_privileged:
    description:
      - V(link_accounts), link cloud users that hold an admin role too.
      - V(offboard_users), offboard AD users with C(adminCount=1) (members, past or present, of protected groups) too.
    type: bool
    default: false
  disabled_accounts:
    description: V(offboard_users), offboard the disabled AD users in the scope (O(ad_search_base), O(ad_filter), O(ad_group); else the domain).
    type: bool
    default: false
  move_to:
    description: V(offboard_users), the OU (a DN) the leavers' AD users move to; empty leaves them where they are.
    type: str
    default: ''
  remove_groups:
    description: V(offboard_users), remove the leavers' AD users from every group but the primary one.
    type: bool
    default: false
  remove_licenses:
    description: V(offboard_users), remove the leavers' licences.
    type: bool
    default: true
  revoke_sessions:
    description: V(offboard_users), revoke the leavers' sign-in sessions once they are blocked.
    type: bool
    default: true
  offboard_attribute:
    description:
      - The AD attribute holding the offboarded marker (C(hybrid.identity offboarded <UTC time>)). V(offboard_users)
        sets it last, once every other step went through for the user.
      - V(onboard_new_users) refuses a user whose AD user carries it, and V(add_cloud_accounts) leaves such a user
        out, unless named in O(reactivate).
    type: str
    default: msDS-cloudExtensionAttribute2
  record_file:
    description:
      - V(offboard_users), the restore record on the controller (default C(<report_dir>/offboard_users-record.jsonl)).
        What each offboarding removes (groups, licences, the OU, the enabled states) is appended and fsynced here
        before the chunk's first write; a rerun adds to an entry, never replaces it.
      - V(restore_users) reads it (a user without an entry refuses the run) and marks the users it restored.
    type: path
  delete_after_days:
    description:
      - V(offboard_users), delete both accounts of leavers offboarded at least this many days ago (the time in the
        offboarded marker), the cloud account first (steps C(delete_cloud), C(delete_ad)); V(0) never deletes. The
        deletes pass O(max_deletes) and O(max_delete_percent), of the tenant's and of the domain's users.
    type: int
    default: 0
  reactivate:
    description:
      - V(onboard_new_users) and V(add_cloud_accounts), users (UPN, sAMAccountName or name) to take although an
        offboarding marked them. V(onboard_new_users) enables them on both sides and clears the marker.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - hybrid.identity.user_rows
  - hybrid.identity.delete_threshold
attributes:
  check_mode:
    support: full
    description: Runs every step in check mode and the same preflight, and writes nothing (no password file either).
  diff_mode:
    support: full
    description: Returns the diffs of every step (never a password, never of a refused account).
seealso:
  - module: hybrid.identity.user_input
  - module: hybrid.identity.ad_user
  - module: hybrid.identity.cloud_user
  - module: hybrid.identity.cloud_license
  - module: hybrid.identity.account_link
'''

EXAMPLES = r'''
- name: Onboard the users of new_users.csv
  hybrid.identity.method_run:
    method: onboard_new_users
    csv: new_users.csv
    verified_domains: "{{ tenant.verified_domains }}"
    skus: "{{ tenant.skus | map(attribute='sku_part_number') }}"
    tenant_skus: "{{ tenant.skus }}"
    directory_sync_enabled: "{{ tenant.directory_sync_enabled }}"
    upn_suffix: contoso.com
    usage_location: US
  register: onboarded

- name: Show the summary
  ansible.builtin.debug:
    msg: "{{ onboarded.summary_lines }}"
'''

RETURN = r'''
summary:
  description: How many users ended in each state (C(created), C(updated), C(unchanged), C(failed), ..., C(total)).
  returned: success
  type: dict
summary_lines:
  description: The summary as lines of text, with the report paths and the password file note.
  returned: success
  type: list
  elements: str
report:
  description: Paths of the C(csv) and C(html) reports.
  returned: success
  type: dict
steps:
  description: Per step of the method (for example C(ad), C(cloud), C(license), C(link)), how many users got each module action.
  returned: success
  type: dict
passwords:
  description: C(path) of the password file and C(count) of passwords written (or, in check mode, to be written).
  returned: success
  type: dict
failures:
  description: The report records of the users that failed, with the step and the error.
  returned: success
  type: list
  elements: dict
errors:
  description: One sentence per bad row, naming the row (CSV line or list item) and what to fix.
  returned: failure
  type: list
  elements: str
'''
