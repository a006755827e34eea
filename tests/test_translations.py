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
