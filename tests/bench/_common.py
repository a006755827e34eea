"""What the benchmarks share: a scratch database with today's code, and a measure of time and queries."""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from run_tests import free_port, pg_environment  # noqa: E402


def ensure_database(db, module):
    """``db`` with ``module`` installed (once) and updated (every run): the benchmark runs today's code."""
    env = dict(os.environ, **pg_environment())
    os.environ.update(pg_environment())
    exists = subprocess.run(
        ["psql", "-X", "-d", db, "-tAc",
         f"select 1 from ir_module_module where name = '{module}' and state = 'installed'"],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    installed = exists.stdout.strip() == "1"
    if not installed:
        subprocess.run(["dropdb", "--if-exists", db], env=env, check=True)
    subprocess.run(
        [sys.executable, "-m", "odoo", "--addons-path", str(ROOT / "addons"), "-d", db,
         "-u" if installed else "-i", module, "--without-demo=all", "--stop-after-init",
         f"--http-port={free_port()}", "--log-level=warn"],
        env=env, check=True,
    )  # fmt: skip


def open_registry(db):
    import odoo  # noqa: PLC0415

    odoo.tools.config.parse_config(["--addons-path", str(ROOT / "addons"), "-d", db, "--log-level=warn"])
    return odoo.modules.registry.Registry(db)


def measure(cr, function):
    """(result, seconds, SQL queries) of ``function``, flushed before and after."""
    import odoo  # noqa: PLC0415

    cr.flush()
    before = odoo.sql_db.sql_counter
    start = time.perf_counter()
    result = function()
    cr.flush()
    return result, time.perf_counter() - start, odoo.sql_db.sql_counter - before
