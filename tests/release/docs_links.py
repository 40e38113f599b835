"""make docs: find the broken internal links of the built documentation site.

    python docs_links.py HTML_DIR

Sphinx warns about a :ref: it cannot resolve, but not about a plain relative href (a link pandoc kept as it was, a
theme template, a page antsibull-docs left out), and not about an anchor that is not on the page it points to. This
reads every .html file under HTML_DIR and checks each relative href and src: the file must exist, and the #fragment,
if any, must be an id (or a name) on that page. Links with a scheme (https:, mailto:) are the network's, not checked.
Prints "docs links: N internal links checked, N broken" last, one line per broken link before it; exits non-zero on any.
"""
import os
import sys
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key in ("id", "name") and value:
                self.ids.add(value)
            elif key in ("href", "src") and value is not None:
                self.links.append(value)


def parse(path):
    page = Page()
    with open(path, encoding="utf-8") as f:
        page.feed(f.read())
    return page


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[1])
    root = os.path.abspath(sys.argv[1])
    pages = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            if name.endswith(".html"):
                path = os.path.join(folder, name)
                pages[path] = parse(path)
    checked, broken = 0, []
    for path, page in sorted(pages.items()):
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("javascript:"):
                continue
            checked += 1
            if not parts.path:
                target = path
            elif parts.path.startswith("/"):  # the theme's link to the site's root
                target = os.path.normpath(os.path.join(root, unquote(parts.path).lstrip("/")))
            else:
                target = os.path.normpath(os.path.join(os.path.dirname(path), unquote(parts.path)))
            where = os.path.relpath(path, root)
            if not os.path.exists(target):
                broken.append("%s: %s (no such file)" % (where, link))
            elif parts.fragment and target in pages and unquote(parts.fragment) not in pages[target].ids:
                broken.append("%s: %s (no such anchor on %s)" % (where, link, os.path.relpath(target, root)))
    for line in broken:
        print("docs links: broken: " + line)
    print("docs links: %d internal links checked, %d broken" % (checked, len(broken)))
    sys.exit(1 if broken else 0)


if __name__ == "__main__":
    main()
