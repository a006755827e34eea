#!/usr/bin/env python3
"""Regenerate each addon's i18n/<addon>.pot from the code and merge it into pt_BR.po.

Installs the addons in a scratch database, exports the templates with Odoo's own
exporter, then keeps every existing pt_BR translation whose source is unchanged,
adds new sources untranslated and drops obsolete ones. Prints what is left to
translate.
"""

import subprocess
import sys
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_tests import ADDONS, ROOT, free_port, pg_environment

DB = "cobranca_i18n"
LANG = "pt_BR"


def export_pot(env, addon):
    pot = ROOT / "addons" / addon / "i18n" / f"{addon}.pot"
    pot.parent.mkdir(exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "odoo", "--addons-path", str(ROOT / "addons"), "-d", DB,
         f"--i18n-export={pot}", f"--modules={addon}", "--stop-after-init",
         f"--http-port={free_port()}", "--log-level=warn"],
        env=env, check=True,
    )  # fmt: skip
    return pot


def merge(pot_path, po_path):
    pot = polib.pofile(str(pot_path), wrapwidth=0)
    old = polib.pofile(str(po_path), wrapwidth=0) if po_path.exists() else None
    known = {(e.msgctxt, e.msgid): e for e in old or []} if old else {}
    po = polib.POFile(wrapwidth=0)
    po.header = pot.header
    po.metadata = dict(pot.metadata, Language=LANG, **{"Plural-Forms": "nplurals=2; plural=(n > 1);"})
    for entry in pot:
        previous = known.get((entry.msgctxt, entry.msgid))
        entry.msgstr = previous.msgstr if previous else ""
        po.append(entry)
    po.save(str(po_path))
    return [e.msgid for e in po if not e.msgstr]


def main():
    env = dict(__import__("os").environ, **pg_environment())
    subprocess.run(["dropdb", "--if-exists", "--force", DB], env=env, check=True)
    subprocess.run(
        [sys.executable, "-m", "odoo", "--addons-path", str(ROOT / "addons"), "-d", DB,
         "-i", ",".join(ADDONS), "--without-demo=all", "--stop-after-init",
         f"--http-port={free_port()}", "--log-level=warn"],
        env=env, check=True,
    )  # fmt: skip
    missing = 0
    for addon in ADDONS:
        pot = export_pot(env, addon)
        untranslated = merge(pot, pot.parent / f"{LANG}.po")
        missing += len(untranslated)
        print(f"{addon}: {len(untranslated)} untranslated")
        for msgid in untranslated:
            print(f"   {msgid!r}")
    subprocess.run(["dropdb", "--if-exists", "--force", DB], env=env)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
