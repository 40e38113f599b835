#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: password_file
short_description: Write temporary passwords to a protected file on the controller
version_added: 1.0.0
description:
  - Runs on the controller (action plugin). Writes C(upn,sam_account_name,name,password) lines to O(path), created with
    mode 0600 (written to a temporary file created 0600, then renamed), or encrypted with the run's Ansible Vault
    password when O(vault=true).
  - Users already in the file from earlier runs are kept; a user written again gets the new line.
  - Runs writing the same file at the same time (sites run in parallel with forks) take turns through an exclusive
    lock on a hidden C(.<name>.lock) next to the file, so no site's lines are lost.
  - Writes nothing in check mode, nor when O(entries) is empty (a rerun that created nobody leaves the file alone).
  - The passwords are never returned; run the task with C(no_log=true) because its arguments hold them.
author:
  - hybrid.identity contributors (@hybrid-identity)
options:
  path:
    description: The file.
    type: path
    required: true
  entries:
    description: The lines, each with C(upn), C(sam_account_name), C(name) and C(password).
    type: list
    elements: dict
    required: true
  vault:
    description: Encrypt the file with the vault password given to ansible-playbook (C(--vault-password-file) or C(--ask-vault-pass)).
    type: bool
    default: false
  vault_id:
    description: Reserved; the first vault secret of the run is used.
    type: str
attributes:
  check_mode:
    support: full
    description: Writes nothing in check mode.
  diff_mode:
    support: none
    description: No diff.
'''

EXAMPLES = r'''
- name: Hand the temporary passwords to the admin
  hybrid.identity.password_file:
    path: ~/imported-passwords.csv
    entries: "{{ created_users }}"
  no_log: true
'''

RETURN = r'''
path:
  description: The file's absolute path.
  returned: always
  type: str
count:
  description: How many lines were written this run.
  returned: always
  type: int
encrypted:
  description: Whether the file is vault-encrypted.
  returned: always
  type: bool
'''
