"""The addons keep the layout, manifests and readmes DESIGN.md asks for."""

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ROOT / "addons"
EXPECTED_DEPENDS = {
    "collections_ruler": ["account", "mail", "sms"],
    "collections_pix": ["collections_ruler", "l10n_br"],
    "collections_portal": ["collections_ruler", "collections_pix", "portal", "account_payment"],
}


def manifest(addon):
    source = (ADDONS / addon / "__manifest__.py").read_text()
    return ast.literal_eval("\n".join(line for line in source.splitlines() if not line.startswith("#")))


@pytest.mark.parametrize("addon", sorted(EXPECTED_DEPENDS))
def test_manifest(addon):
    data = manifest(addon)
    version = tuple(int(part) for part in data["version"].split("."))
    assert len(version) == 5 and version[:2] == (18, 0), data["version"]  # OCA: 18.0.x.y.z
    # Odoo runs a migration only up to the installed version: one ahead of the manifest never runs
    for folder in (ADDONS / addon / "migrations").glob("*"):
        assert tuple(int(part) for part in folder.name.split(".")) <= version, folder.name
    assert data["license"] == "LGPL-3"
    assert data["depends"] == EXPECTED_DEPENDS[addon]
    assert data["summary"] and data["category"]
    for path in data.get("data", []) + data.get("demo", []):
        assert (ADDONS / addon / path).is_file(), path
    assert (ADDONS / addon / "static" / "description" / "icon.png").is_file()


# Odoo's own framework libraries: every addon imports them through Odoo, none declares them.
PROVIDED_BY_ODOO = {"odoo", "markupsafe", "werkzeug", "dateutil", "psycopg2", "lxml", "pytz", "babel"}
# Import name -> the PyPI name a manifest declares.
PYPI_NAMES = {
    "requests": "requests",
    "qrcode": "qrcode",
    "stdnum": "python-stdnum",
    "barcode": "python-barcode",
    "xlsxwriter": "xlsxwriter",
}


def third_party_imports(addon):
    """Top-level modules the addon's code (not its tests) imports from outside the standard library."""
    found = set()
    for path in (ADDONS / addon).rglob("*.py"):
        if "tests" in path.relative_to(ADDONS / addon).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found |= {name.split(".")[0] for name in names}
    ours = set(EXPECTED_DEPENDS)  # the plain-pytest fallback imports of a sibling addon
    return found - set(sys.stdlib_module_names) - PROVIDED_BY_ODOO - ours


@pytest.mark.parametrize("addon", sorted(EXPECTED_DEPENDS))
def test_external_dependencies_are_exactly_what_the_code_imports(addon):
    imported = third_party_imports(addon)
    unknown = imported - set(PYPI_NAMES)
    assert not unknown, f"{addon} imports {unknown}: add their PyPI names to PYPI_NAMES and the manifest"
    declared = set(manifest(addon).get("external_dependencies", {}).get("python", []))
    assert declared == {PYPI_NAMES[name] for name in imported}


def test_readme_rst_is_generated_from_the_fragments():
    spec = importlib.util.spec_from_file_location("gen_readme", ROOT / "scripts" / "gen_readme.py")
    gen_readme = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen_readme)
    for addon in EXPECTED_DEPENDS:
        assert (ADDONS / addon / "README.rst").read_text() == gen_readme.render(ADDONS / addon), addon


@pytest.mark.parametrize(
    "module", sorted(str(p.relative_to(ADDONS).with_suffix("")) for p in ADDONS.glob("*/tools/*.py"))
)
def test_tools_import_without_odoo(module):
    """tools/ must stay importable where Odoo is absent: we hide it and import."""
    code = (
        "import sys, types; sys.modules['odoo'] = None\n"
        f"sys.path.insert(0, {str(ROOT / 'tests')!r}); import conftest\n"
        f"import importlib; importlib.import_module({module.replace('/', '.')!r})"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
