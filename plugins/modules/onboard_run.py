#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: onboard_run
short_description: Onboard new users in AD and Microsoft 365 together, chunk by chunk (the engine of onboard_new_users)
version_added: 0.1.0
description:
  - "Never takes over an account: a row whose username, UPN or mail address an existing AD or cloud account holds
    fails with the holder named (and the fix: another username, or M(hybrid.identity.link_accounts) to pair them),
    unless what exists is this job's own, the same person's pair (the cloud user's anchor is the AD user's
    objectGUID) or the account an interrupted run created (see O(password_file)). The write chunks pass
    C(create_only) to M(hybrid.identity.ad_user) and M(hybrid.identity.cloud_user) for every user the plan saw as new,
    so an account that appears between the plan and the write is refused too."
  - "A whole-run preflight on the plan, shared by check mode, stops the run before any write when a directory sync
    engine is in charge of the tenant (O(directory_sync_enabled)) or a SKU has fewer free units than the run assigns
    (O(tenant_skus))."
  - Modules get their arguments through pipelining, so no AnsiballZ payload file on disk ever holds a password; a
    connection that cannot pipeline (C(become_method=su), C(keep_remote_files)) is refused when passwords are set.
  - Runs on the controller (action plugin) and drives, for each chunk of users, the modules
    M(hybrid.identity.ad_user), M(hybrid.identity.cloud_user), M(hybrid.identity.cloud_license) and
    M(hybrid.identity.account_link) on the task's host, with the play's C(module_defaults) for each of them
    (C(group/hybrid.identity.ad), C(group/hybrid.identity.cloud), C(hybrid.identity.account_link)) or the
    HYBRID_IDENTITY_* / AZURE_* environment variables for the connections.
  - First checks every row (the checks of M(hybrid.identity.user_input)); one bad row stops the run before
    anything is written, and every bad row is named with its fix.
  - Then the plan, every step in check mode over all users (in chunks of O(plan_chunk_size)). In check mode
    this is the result; otherwise only the users with something to create or change go on to the writes.
  - "Per write chunk: creates or updates the users in AD; creates or updates in the cloud those AD holds (a user AD has
    just created gets onPremisesImmutableId = base64 of its new objectGUID in the create itself, so it is linked in
    the same write); assigns licenses and links the accounts (the cloud id in O(link_attribute)) for users both sides
    hold. A pair whose two halves already name each other (seen in the results of ad_user, which returns
    O(link_attribute), and of cloud_user, which returns the anchor) is reported unchanged without running
    account_link for it. A user failing a step is reported failed and skips the later steps; the other users go on."
  - On a local connection without become, the write chunks overlap - chunk k's cloud steps and link run while
    ad_user writes chunk k+1 (the DC, which takes one write at a time, stays busy), and each chunk's license and
    link run at the same time. The AD side is at most one chunk ahead, so an interrupted run leaves at most two
    chunks half done; a rerun converges them. Progress lines and results keep the chunks' order.
  - Prints a progress line per chunk, writes generated passwords to O(password_file) and a CSV and HTML report
    to O(report_dir). The users and their results never pass through Jinja (see the performance guide).
  - The role M(hybrid.identity.onboard_new_users) is the documented way to use it (ansible-doc -t role).
author:
  - hybrid.identity contributors (@hybrid-identity)
options:
  chunk_size:
    description: Users per write chunk; one run of each module per chunk, and one progress line.
    type: int
    default: 500
  plan_chunk_size:
    description:
      - Users per chunk of the plan, the first pass that runs every step in check mode (reads only) to find
        the users with something to do. Only those go through the write chunks, so a rerun that finds
        nothing to do makes one read pass. Bigger plan chunks mean fewer module runs and more memory per
        module process (ad_user peaked at 160 MB planning 10,000 users, 45 MB for 1,000).
      - The larger of O(chunk_size) and this is used.
    type: int
    default: 10000
  sku_ids:
    description:
      - "The tenant's SKUs as C({skuPartNumber: skuId}) (the role builds it from M(hybrid.identity.cloud_tenant_info))."
      - With it, users whose cloud account already holds every license their row asks for (seen in
        M(hybrid.identity.cloud_user)'s results) are reported unchanged without running
        M(hybrid.identity.cloud_license) for them. Without it, every user goes through cloud_license.
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
  generate_passwords:
    description: Give rows without a password one from the collection's password generator.
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
      - The password journal on the controller (mode 0600, or vault with O(password_file_vault)). Each generated
        password is written here, and the file and its directory fsynced, before the write that sets it is sent,
        with the time it was recorded (C(recorded)); at the end of the run C(set_in) says where it was set
        (C(ad), C(cloud)).
      - A rerun reuses the password recorded for a user, so after any interruption every created user's password
        is in this file. An AD account found under a new user's name counts as this job's own only when this file
        recorded it just before the directory created it (C(whenCreated)); any other existing account is refused.
      - An existing file that is not a hybrid.identity password file (its first line is not
        C(upn,sam_account_name,name,password,...)) is never overwritten; the run stops before any write.
    type: path
    default: hybrid_identity_reports/onboard_new_users-passwords.csv
  password_file_vault:
    description: Vault-encrypt the password file with the run's vault password.
    type: bool
    default: false
  report_dir:
    description: Where the CSV and HTML reports go on the controller.
    type: path
    default: hybrid_identity_reports
  title:
    description: The report's title.
    type: str
    default: Onboard new users
extends_documentation_fragment:
  - hybrid.identity.user_rows
attributes:
  check_mode:
    support: full
    description: Runs every step in check mode and writes nothing (no password file either); users still to be created are not licensed or linked in the plan.
  diff_mode:
    support: full
    description: Returns the diffs of every step (never a password).
seealso:
  - module: hybrid.identity.user_input
  - module: hybrid.identity.ad_user
  - module: hybrid.identity.cloud_user
  - module: hybrid.identity.cloud_license
  - module: hybrid.identity.account_link
'''

EXAMPLES = r'''
- name: Onboard the users of new_users.csv
  hybrid.identity.onboard_run:
    csv: new_users.csv
    verified_domains: "{{ tenant.verified_domains }}"
    skus: "{{ tenant.skus | map(attribute='sku_part_number') }}"
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
  description: Per step (C(ad), C(cloud), C(license), C(link)), how many users got each module action.
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
