"""pt_BR files: complete, well-formed, and keeping every placeholder of the source."""

import re
from pathlib import Path

import polib
import pytest

ADDONS = Path(__file__).resolve().parent.parent / "addons"
PO_FILES = sorted(ADDONS.glob("*/i18n/pt_BR.po"))
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[sdf]|\{[^}]*\}")


def test_every_addon_ships_pot_and_pt_br():
    addons = sorted(p.parent.name for p in ADDONS.glob("*/__manifest__.py"))
    assert addons == ["collections_pix", "collections_portal", "collections_ruler"]
    for addon in addons:
        assert (ADDONS / addon / "i18n" / f"{addon}.pot").is_file()
        assert (ADDONS / addon / "i18n" / "pt_BR.po").is_file()


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: p.parent.parent.name)
def test_pt_br_translates_every_source_of_the_pot(po_path):
    pot = polib.pofile(str(po_path.with_name(f"{po_path.parent.parent.name}.pot")))
    po = polib.pofile(str(po_path))
    assert po.metadata["Language"] == "pt_BR"
    translated = {e.msgid: e.msgstr for e in po if e.msgstr and not e.obsolete}
    assert [e.msgid for e in pot if e.msgid not in translated] == []


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: p.parent.parent.name)
def test_pt_br_keeps_placeholders(po_path):
    for entry in polib.pofile(str(po_path)):
        if entry.msgstr:
            assert sorted(PLACEHOLDER.findall(entry.msgid)) == sorted(PLACEHOLDER.findall(entry.msgstr)), entry.msgid


def _fstrings_inside_translation_calls(path):
    """Line numbers of ``_(...)`` / ``env._(...)`` calls with an f-string anywhere in them: Babel's
    extractor stops reading the file there, so every later string silently drops out of the .pot."""
    import ast  # noqa: PLC0415

    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in ("_", "_lt") and any(isinstance(sub, ast.JoinedStr) for sub in ast.walk(node)):
            found.append(node.lineno)
    return found


def test_no_f_string_inside_a_translated_call():
    sources = [p for p in ADDONS.rglob("*.py") if "tests" not in p.relative_to(ADDONS).parts]
    offenders = {str(p.relative_to(ADDONS)): lines for p in sources if (lines := _fstrings_inside_translation_calls(p))}
    assert offenders == {}
