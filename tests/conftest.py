"""Make each addon's ``tools`` package importable without Odoo.

An addon folder is registered as a bare package, so ``import collections_ruler.tools``
loads ``addons/collections_ruler/tools`` without running the addon's ``__init__``
(which imports Odoo models).
"""

import pathlib
import sys
import types

ROOT = pathlib.Path(__file__).resolve().parent.parent
ADDONS = ROOT / "addons"


def _register_bare_addon_packages():
    for manifest in sorted(ADDONS.glob("*/__manifest__.py")):
        name = manifest.parent.name
        if name in sys.modules:
            continue
        package = types.ModuleType(name)
        package.__path__ = [str(manifest.parent)]
        sys.modules[name] = package


_register_bare_addon_packages()
