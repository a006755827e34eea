"""Make each addon's ``tools`` package importable without Odoo.

An addon folder is registered as a bare package, so ``import collections_ruler.tools``
loads ``addons/collections_ruler/tools`` without running the addon's ``__init__``
(which imports Odoo models). Its ``tests`` folder is registered the same way, so
the fakes of outside services kept there serve both this tier and Odoo's.
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
        for module_name, folder in ((name, manifest.parent), (f"{name}.tests", manifest.parent / "tests")):
            package = types.ModuleType(module_name)
            package.__path__ = [str(folder)]
            sys.modules[module_name] = package


_register_bare_addon_packages()
