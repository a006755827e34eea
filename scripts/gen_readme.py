#!/usr/bin/env python3
"""Build each addon's README.rst from its readme/*.md fragments (OCA layout).

Usage: scripts/gen_readme.py [--check]   (--check: fail when a README.rst is stale)
"""

import ast
import re
import sys
from pathlib import Path

ADDONS = Path(__file__).resolve().parent.parent / "addons"
SECTIONS = (
    ("DESCRIPTION.md", None),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("CONTRIBUTORS.md", "Contributors"),
)
BADGES = """\
|license| |version|

.. |license| image:: https://img.shields.io/badge/licence-LGPL--3-blue.png
   :target: https://www.gnu.org/licenses/lgpl-3.0-standalone.html
.. |version| image:: https://img.shields.io/badge/odoo-18.0-purple.png
"""


def markdown_to_rst(text):
    """The little Markdown the fragments use: inline code becomes a literal."""
    return re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", text).rstrip()


def render(addon: Path) -> str:
    manifest = ast.literal_eval(
        "\n".join(line for line in (addon / "__manifest__.py").read_text().splitlines() if not line.startswith("#"))
    )
    title = manifest["name"]
    parts = [title, "=" * len(title), "", manifest["summary"], "", BADGES]
    for fragment, heading in SECTIONS:
        path = addon / "readme" / fragment
        if path.exists():
            if heading:
                parts += [heading, "-" * len(heading), ""]
            parts += [markdown_to_rst(path.read_text()), ""]
    return "\n".join(parts)


def main():
    stale = []
    for manifest in sorted(ADDONS.glob("*/__manifest__.py")):
        addon, target = manifest.parent, manifest.parent / "README.rst"
        text = render(addon)
        if "--check" in sys.argv:
            if not target.exists() or target.read_text() != text:
                stale.append(addon.name)
        else:
            target.write_text(text)
    if stale:
        print("README.rst out of date (run scripts/gen_readme.py):", ", ".join(stale))
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
