#!/usr/bin/env python3
"""Run every test of the project and end with one line: ``N passed, N failed``.

1. the plain-pytest tier in ``tests/`` (no Odoo needed);
2. the Odoo tier: a fresh database, the three addons installed in test mode and
   every test of theirs run by Odoo's own runner.

The Odoo tier fails on any failed test, on any ERROR or CRITICAL log line and on
any WARNING logged by our own addons, because a warning at install time is a
bug a user will see in their log.
"""

import argparse
import os
import re
import shlex
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ("collections_ruler", "collections_pix", "collections_portal")
CACHE = Path(os.environ.get("COBRANCA_CACHE", ROOT / ".cache"))
LOG_LINE = re.compile(r"^\S+ \S+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>[\w.]+): (?P<msg>.*)")
RESULT_LINE = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database")
OUR_LOGGER = re.compile(r"odoo\.addons\.({})\b".format("|".join(ADDONS)))
ODOO_MISSING = """\
Odoo 18 is not importable by {python}.
Install it from source, then run this again:
  git clone --depth 1 --branch 18.0 https://github.com/odoo/odoo /opt/odoo18   (or unpack a nightly 18.0 source tarball)
  pip install -r /opt/odoo18/requirements.txt && pip install -e /opt/odoo18
(or use Docker:  docker compose run --rm tests)"""


def pg_environment():
    """Start or find PostgreSQL (scripts/pg_env.sh) and return its libpq variables."""
    out = subprocess.run(["bash", str(ROOT / "scripts" / "pg_env.sh")], check=True, capture_output=True, text=True)
    sys.stderr.write(out.stderr)
    env = {}
    for token in shlex.split(out.stdout.replace("export ", "")):
        key, _, value = token.partition("=")
        env[key] = value
    return env


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_pytest(extra):
    """Plain-pytest tier. Returns (passed, failed)."""
    CACHE.mkdir(exist_ok=True)
    report = CACHE / f"pytest-{os.getpid()}.xml"  # a run of its own: two runs never read each other's
    report.unlink(missing_ok=True)
    print("== pytest tier: tests/", flush=True)
    proc = subprocess.run([sys.executable, "-m", "pytest", "tests", "-q", f"--junitxml={report}", *extra], cwd=ROOT)
    if not report.exists():
        print(f"pytest did not run (exit {proc.returncode})")
        return 0, 1
    suite = ET.parse(report).getroot()
    report.replace(CACHE / "pytest.xml")
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    tests, failures, errors, skipped = (int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
    failed = failures + errors
    if proc.returncode not in (0, 1, 5) and not failed:
        failed = 1  # pytest itself broke (usage or internal error)
    return tests - failed - skipped, failed


def odoo_command(db, *args):
    return [
        sys.executable, "-m", "odoo", "--addons-path", str(ROOT / "addons"), "-d", db,
        "--stop-after-init", "--http-interface=127.0.0.1", f"--http-port={free_port()}",
        "--max-cron-threads=0", *args,
    ]  # fmt: skip


def run_logged(cmd, env, log_path, warnings_of=OUR_LOGGER):
    """Run Odoo, keep its full log (``log_path``, then also the run-independent name), echo the interesting part.

    Returns (exit code, offending log lines, (failures, errors, tests) or None).
    Offending: ERROR and CRITICAL lines, and WARNING lines whose logger matches
    ``warnings_of``.
    """
    print("==", " ".join(cmd), flush=True)
    bad_lines, totals = [], None
    with (
        open(log_path, "w") as log,
        subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc,
    ):
        for line in proc.stdout:
            log.write(line)
            match = LOG_LINE.match(line)
            if not match:  # traceback and test-failure detail lines
                print(line, end="", flush=True)
                continue
            level, logger, msg = match["level"], match["logger"], match["msg"]
            if level in ("ERROR", "CRITICAL") or (level == "WARNING" and warnings_of.match(logger)):
                bad_lines.append(line.rstrip())
            # A skipped test passed nothing: Odoo skips browser tours when Chromium is missing, and
            # a run without its tours must fail, not look green.
            if (
                level == "INFO"
                and (logger.startswith("odoo.tests") or ".tests." in logger)
                and msg.startswith("skipped ")
            ):
                bad_lines.append(line.rstrip())
            if totals is None and (found := RESULT_LINE.search(msg)):
                totals = tuple(map(int, found.groups()))
            if level != "INFO" or OUR_LOGGER.match(logger) or logger.startswith("odoo.tests") or "post-tests" in msg:
                print(line, end="", flush=True)
    # The latest run's log under the documented name; the per-run file is the one written above.
    log_path.replace(CACHE / (log_path.name.split("@")[0] + ".log"))
    return proc.returncode, bad_lines, totals


def fresh_database(env, db):
    subprocess.run(["dropdb", "--if-exists", "--force", db], env=env, check=True)


def run_database_name():
    """A database of this run's own: two test runs on one machine never drop each other's."""
    return f"{os.environ.get('COBRANCA_TEST_DB', 'cobranca_test')}_{os.getpid()}"


def run_odoo(test_tags, keep_db):
    """Odoo tier: every test of the addons, then a demo install. Returns (passed, failed)."""
    try:
        import odoo  # noqa: F401, PLC0415  (only to tell a missing Odoo apart)
    except ImportError:
        print(ODOO_MISSING.format(python=sys.executable))
        return 0, 1
    env = dict(os.environ, **pg_environment())
    CACHE.mkdir(parents=True, exist_ok=True)
    db = run_database_name()
    fresh_database(env, db)
    tags = test_tags or ",".join(f"/{a}" for a in ADDONS)
    # payment_demo: Odoo's own card simulator, for the portal's test of paying by card.
    installed = ",".join((*ADDONS, "payment_demo"))
    cmd = odoo_command(db, "-i", installed, "--without-demo=all", "--test-enable", "--test-tags", tags)
    try:
        returncode, bad_lines, totals = run_logged(cmd, env, CACHE / f"odoo-test@{db}.log")
    finally:
        if not keep_db:
            fresh_database(env, db)
    if keep_db:
        print(f"odoo: the test database is kept as {db}")
    if totals is None:
        print(f"odoo: no test summary found (exit {returncode}); full log in {CACHE / 'odoo-test.log'}")
        return 0, 1
    failures, errors, tests = totals
    passed, failed = tests - failures - errors, failures + errors
    # A failing test logs its own ERROR lines; a log error with every test green is a bug of its own.
    if (bad_lines or returncode) and not failed:
        print(f"odoo: exit {returncode}, offending log lines (counted as one failure):", *bad_lines, sep="\n")
        failed = 1
    if test_tags:
        return passed, failed
    p, f = check_demo_install(env, db + "_demo")
    return passed + p, failed + f


def check_demo_install(env, db):
    """Installing the addons with demo data must log no warning at all: a user would see it."""
    fresh_database(env, db)
    cmd = odoo_command(db, "-i", ",".join(ADDONS), "--log-level=info")
    try:
        returncode, bad_lines, _totals = run_logged(
            cmd, env, CACHE / f"odoo-demo-install@{db}.log", warnings_of=re.compile("")
        )
    finally:
        fresh_database(env, db)
    if returncode or bad_lines:
        print(f"demo install: FAILED (exit {returncode}):", *bad_lines, sep="\n")
        return 0, 1
    print("demo install: passed (no warning, no error)")
    return 1, 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pytest-only", action="store_true")
    parser.add_argument("--odoo-only", action="store_true")
    parser.add_argument("--test-tags", help="Odoo --test-tags (default: every test of our addons)")
    parser.add_argument("--keep-db", action="store_true", help="keep the test database afterwards")
    args, pytest_args = parser.parse_known_args()
    passed = failed = 0
    if not args.odoo_only:
        p, f = run_pytest(pytest_args)
        print(f"pytest tier: {p} passed, {f} failed", flush=True)
        passed, failed = passed + p, failed + f
    if not args.pytest_only:
        p, f = run_odoo(args.test_tags, args.keep_db)
        print(f"odoo tier: {p} passed, {f} failed", flush=True)
        passed, failed = passed + p, failed + f
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
