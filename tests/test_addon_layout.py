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
    "collections_portal": ["collections_ruler", "collections_pix", "portal"],
}


def manifest(addon):
    source = (ADDONS / addon / "__manifest__.py").read_text()
    return ast.literal_eval("\n".join(line for line in source.splitlines() if not line.startswith("#")))


@pytest.mark.parametrize("addon", sorted(EXPECTED_DEPENDS))
def test_manifest(addon):
    data = manifest(addon)
    assert data["version"] == "18.0.1.0.0"
    assert data["license"] == "LGPL-3"
    assert data["depends"] == EXPECTED_DEPENDS[addon]
    assert data["summary"] and data["category"]
    for path in data.get("data", []) + data.get("demo", []):
        assert (ADDONS / addon / path).is_file(), path
    assert (ADDONS / addon / "static" / "description" / "icon.png").is_file()


def test_external_dependencies_cover_what_the_suite_imports():
    declared = set()
    for addon in EXPECTED_DEPENDS:
        declared |= set(manifest(addon).get("external_dependencies", {}).get("python", []))
    assert {"python-barcode", "qrcode", "requests", "xlsxwriter"} <= declared


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
