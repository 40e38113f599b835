"""make docs: the Markdown guides of docs/ as antsibull-docs extra docs, in the docs site's copy of the collection.

    python docs_guides.py SOURCE_ROOT COLLECTION_COPY

The Markdown in SOURCE_ROOT/docs stays the one source of the guides (GitHub shows it as it is); this writes, into the
installed copy of the collection that tests/release/docs.sh builds the site from, docs/docsite/rst/<guide>.rst for every
docs/*.md of the copy (docs/development is not in the tarball, so contributor docs stay out of the site) and
docs/docsite/extra-docs.yml with the sections below. Nothing is written into the repository: its extra-docs.yml keeps
`sections: []`, so the tarball and galaxy-importer see no RST to lint.

The conversion is pandoc's (pypandoc-binary, requirements-release.txt): GitHub Markdown to pandoc's AST, the AST
rewritten here, then RST. The rewrites are what a site needs and GitHub does not:
- every page starts with the label antsibull-docs requires (ansible_collections.<ns>.<name>.docsite.<guide>);
- a link to another guide (x.md, x.md#anchor, #anchor) becomes a :ref: to that guide's label (or to a label put before
  the heading GitHub's anchor names); a link to any other file of the repository (tests/, docs/development/, Makefile)
  becomes a link to it on GitHub (galaxy.yml's repository); a link to a guide, anchor or file that does not exist
  fails, because it is broken on GitHub too;
- `hybrid.identity.<module|role|filter>` and a bare module name in code become :ansplugin: links to their pages;
- code blocks keep their language where Pygments knows it and are plain text otherwise (the site highlights untagged
  blocks as YAML+Jinja and a lexer error is a warning, which fails the build);
- HTML comments are dropped; any other raw HTML fails (the RST has no place for it: write it in Markdown or escape it).
Exits non-zero with one line per problem.
"""
import json
import os
import re
import sys

import pypandoc
import yaml
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

# The site's sections, in order: every guide must be in exactly one, so a new guide fails make docs until it is
# placed here (instead of silently missing from the index).
SECTIONS = [
    ("Guides", ["methods", "enable-integration", "method-1-new-users", "method-2-cloud-accounts",
                "method-3-import", "method-4-link", "offboarding", "audit", "password-sync"]),
    ("Running the playbooks", ["app-registration", "multi-site-and-awx", "ci", "entra-connect-migration",
                               "troubleshooting"]),
    ("Reference", ["ad-users", "cloud-users", "linking", "deleting", "architecture", "performance"]),
]
# Characters that may stand right before / right after RST inline markup; anything else needs an escaped space.
BEFORE_OK = set(" \t\n'\"([{<-/:\u2018\u201c\u2019\u00ab\u00a1\u00bf")
AFTER_OK = set(" \t\n'\")]}>-/:.,;!?\\\u2019\u201d\u00bb")
RAW_HTML = "raw HTML %r: write it in Markdown or escape it (the site shows no raw HTML)"
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class Guides:
    def __init__(self, source, copy):
        self.source = source
        self.copy = copy
        self.problems = []
        with open(os.path.join(source, "galaxy.yml"), encoding="utf-8") as f:
            galaxy = yaml.safe_load(f)
        self.collection = "%s.%s" % (galaxy["namespace"], galaxy["name"])
        self.prefix = "ansible_collections.%s.docsite." % self.collection
        branch = "main"
        links = os.path.join(source, "docs", "docsite", "links.yml")
        if os.path.exists(links):
            with open(links, encoding="utf-8") as f:
                branch = (yaml.safe_load(f) or {}).get("edit_on_github", {}).get("branch", branch)
        self.blob = "%s/blob/%s/" % (galaxy["repository"].rstrip("/"), branch)
        self.tree = "%s/tree/%s/" % (galaxy["repository"].rstrip("/"), branch)
        docs = os.path.join(copy, "docs")
        self.names = sorted(f[:-3] for f in os.listdir(docs) if f.endswith(".md"))
        self.plugins = self._plugins()
        self.asts = {}
        self.anchors = {}  # guide -> GitHub heading anchors
        for name in self.names:
            self.asts[name] = json.loads(pypandoc.convert_file(os.path.join(docs, name + ".md"), "json", format="gfm"))
            self.anchors[name] = set()
            for block in self.asts[name]["blocks"]:
                self._headers(block, self.anchors[name])
        self.wanted = set()  # (guide, anchor) pairs some link points to: those headings get a label

    def _plugins(self):
        """FQCN and bare-name code texts that link to a plugin page, with their antsibull-docs plugin type."""
        found = {}
        for kind, folder, ext in (("filter", "plugins/filter", ".yml"), ("role", "roles", ""),
                                  ("module", "plugins/modules", ".py")):
            path = os.path.join(self.copy, folder)
            for entry in sorted(os.listdir(path)) if os.path.isdir(path) else []:
                if kind == "role":
                    if not os.path.exists(os.path.join(path, entry, "meta", "argument_specs.yml")):
                        continue
                    name = entry
                elif entry.endswith(ext) and not entry.startswith("_"):
                    name = entry[:-len(ext)]
                else:
                    continue
                # Modules last: a module wins over a role or filter of the same name.
                found["%s.%s" % (self.collection, name)] = (name, kind)
                if kind == "module":
                    found[name] = (name, kind)
        return found

    def _headers(self, node, anchors):
        if isinstance(node, dict):
            if node.get("t") == "Header":
                anchors.add(node["c"][1][0])
            for value in node.values():
                self._headers(value, anchors)
        elif isinstance(node, list):
            for value in node:
                self._headers(value, anchors)

    def label(self, name, anchor=""):
        label = self.prefix + name.replace("-", "_")
        return label + "." + anchor.replace("-", "_") if anchor else label

    def problem(self, name, text):
        self.problems.append("docs/%s.md: %s" % (name, text))

    def link(self, name, url, text):
        """The RST of a Markdown link, or None when it is broken (recorded as a problem)."""
        for bad in "`<>":
            if bad in text:
                self.problem(name, "link text %r: %r cannot stand in an RST link; reword it" % (text, bad))
                return None
        if SCHEME.match(url):
            return "`%s <%s>`__" % (text, url)
        path, _, anchor = url.partition("#")
        if not path:
            target = name
        else:
            rel = os.path.normpath(os.path.join("docs", path))
            guide = rel[len("docs/"):-3] if rel.startswith("docs/") and rel.endswith(".md") else None
            if guide not in self.names:
                # Not a guide of the site: the repository's file on GitHub, if the repository has it.
                if rel.startswith("..") or not os.path.exists(os.path.join(self.source, rel)):
                    self.problem(name, "link to %s: no such file in the repository" % url)
                    return None
                where = self.tree if os.path.isdir(os.path.join(self.source, rel)) else self.blob
                return "`%s <%s%s%s>`__" % (text, where, rel, "#" + anchor if anchor else "")
            target = guide
        if anchor and anchor not in self.anchors[target]:
            self.problem(name, "link to %s: docs/%s.md has no heading with anchor #%s" % (url, target, anchor))
            return None
        if anchor:
            self.wanted.add((target, anchor))
        label = self.label(target, anchor)
        # The Markdown's habit is to show the file name ([linking.md](linking.md)): the site shows the title instead.
        if text == path or (not path and text == "#" + anchor):
            return ":ref:`%s`" % label
        return ":ref:`%s <%s>`" % (text, label)

    def code(self, text):
        plugin = self.plugins.get(text)
        if not plugin:
            return None
        fqcn = "%s.%s#%s" % (self.collection, plugin[0], plugin[1])
        return ":ansplugin:`%s`" % fqcn if text.startswith(self.collection + ".") else ":ansplugin:`%s <%s>`" % (
            text, fqcn)

    def convert(self, name):
        blocks = self.blocks(name, self.asts[name]["blocks"])
        blocks.insert(0, raw_block(".. _%s:" % self.label(name)))
        ast = dict(self.asts[name], blocks=blocks)
        return pypandoc.convert_text(json.dumps(ast), "rst", format="json", extra_args=["--columns=120"])

    def blocks(self, name, blocks):
        out = []
        for block in blocks:
            kind = block.get("t")
            if kind == "Header":
                level, (anchor, classes, attrs), inlines = block["c"]
                if (name, anchor) in self.wanted:
                    out.append(raw_block(".. _%s:" % self.label(name, anchor)))
                # No identifier: pandoc would write it as a label of its own, without the prefix antsibull-docs
                # requires, and antsibull-docs leaves a page with such a label out of the site.
                out.append({"t": "Header", "c": [level, ["", classes, attrs], inlines]})
                continue
            if kind == "CodeBlock":
                (ident, classes, attrs), text = block["c"]
                out.append({"t": "CodeBlock", "c": [[ident, [lexer(classes)], attrs], text]})
                continue
            if kind == "RawBlock":
                if block["c"][1].lstrip().startswith("<!--"):
                    continue
                self.problem(name, RAW_HTML % block["c"][1])
                continue
            out.append(self.walk(name, block))
        return out

    def walk(self, name, node):
        """Rewrite links and code in a node's inline lists; other nodes are copied through."""
        if isinstance(node, list):
            if node and all(isinstance(n, dict) and "t" in n for n in node):
                if any(is_block(n) for n in node):
                    return self.blocks(name, node)
                return self.inlines(name, node)
            return [self.walk(name, n) for n in node]
        if isinstance(node, dict):
            return {k: self.walk(name, v) for k, v in node.items()}
        return node

    def inlines(self, name, inlines):
        out = []
        for inline in inlines:
            kind = inline.get("t")
            rst = None
            if kind == "Link":
                _attr, content, (url, _title) = inline["c"]
                rst = self.link(name, url, stringify(content))
                if rst is None:
                    out.extend(self.inlines(name, content))
                    continue
            elif kind == "Code":
                rst = self.code(inline["c"][1])
            elif kind == "RawInline":
                if inline["c"][1].startswith("<!--"):
                    continue
                self.problem(name, RAW_HTML % inline["c"][1])
                continue
            if rst is None:
                out.append(self.walk(name, inline))
            else:
                out.append({"t": "RawInline", "c": ["rst", rst]})
        return separate(out)

    def write(self):
        # Twice: the first round finds which headings links point to, the second puts labels before them (and
        # reports each problem once).
        for name in self.names:
            self.convert(name)
        self.problems = []
        pages = {name: self.convert(name) for name in self.names}
        placed = [n for _title, names in SECTIONS for n in names]
        for name in sorted(set(self.names) - set(placed)):
            self.problem(name, "not in any section of tests/release/docs_guides.py's SECTIONS: add it to one")
        for name in sorted(set(placed) - set(self.names)):
            self.problems.append("SECTIONS names %s, but docs/%s.md is not in the collection" % (name, name))
        for name in sorted(n for n in set(placed) if placed.count(n) > 1):
            self.problems.append("SECTIONS names %s more than once" % name)
        for name, rst in pages.items():
            for line in rst.splitlines():
                if line.startswith(".. _") and not line.startswith(".. _" + self.prefix):
                    self.problem(name, "RST label %r lacks the prefix %s" % (line, self.prefix))
        if self.problems:
            return self.problems
        rst_dir = os.path.join(self.copy, "docs", "docsite", "rst")
        os.makedirs(rst_dir, exist_ok=True)
        for name, rst in pages.items():
            with open(os.path.join(rst_dir, name + ".rst"), "w", encoding="utf-8") as f:
                f.write(rst)
        index = {"sections": [{"title": title, "toctree": names} for title, names in SECTIONS]}
        with open(os.path.join(self.copy, "docs", "docsite", "extra-docs.yml"), "w", encoding="utf-8") as f:
            f.write("---\n# Written by tests/release/docs_guides.py at make docs time, from docs/*.md.\n")
            yaml.safe_dump(index, f, default_flow_style=False, sort_keys=False)
        return []


BLOCKS = {"Plain", "Para", "LineBlock", "CodeBlock", "RawBlock", "BlockQuote", "OrderedList", "BulletList",
          "DefinitionList", "Header", "HorizontalRule", "Table", "Figure", "Div"}


def is_block(node):
    return node.get("t") in BLOCKS


def raw_block(text):
    # The blank line: pandoc writes a heading right under a raw block, and RST needs one after a label.
    return {"t": "RawBlock", "c": ["rst", text + "\n\n"]}


def lexer(classes):
    """The code block's language when Pygments knows it, else text."""
    if classes:
        try:
            get_lexer_by_name(classes[0])
            return classes[0]
        except ClassNotFound:
            pass
    return "text"


def stringify(inlines):
    parts = []
    for inline in inlines:
        kind, content = inline.get("t"), inline.get("c")
        if kind == "Str":
            parts.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
        elif kind in ("Code", "Math", "RawInline"):
            parts.append(content[1])
        elif kind == "Quoted":
            parts.append('"%s"' % stringify(content[1]))
        elif kind in ("Emph", "Strong", "Strikeout", "Underline", "SmallCaps", "Superscript", "Subscript"):
            parts.append(stringify(content))
        elif kind in ("Span", "Link", "Cite"):
            parts.append(stringify(content[1]))
    return "".join(parts)


def separate(inlines):
    """Escaped spaces where a raw RST role touches a word: RST only sees inline markup between spaces or punctuation.
    pandoc does this for the markup it writes, not for raw RST."""
    out = []
    for i, inline in enumerate(inlines):
        raw = inline.get("t") == "RawInline" and inline["c"][0] == "rst"
        if raw and out and out[-1].get("t") == "Str" and out[-1]["c"][-1:] not in BEFORE_OK:
            out.append({"t": "RawInline", "c": ["rst", "\\ "]})
        out.append(inline)
        following = inlines[i + 1] if i + 1 < len(inlines) else None
        if raw and following and following.get("t") == "Str" and following["c"][:1] not in AFTER_OK:
            out.append({"t": "RawInline", "c": ["rst", "\\ "]})
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    problems = Guides(sys.argv[1], sys.argv[2]).write()
    for problem in problems:
        print("docs guides: " + problem, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
