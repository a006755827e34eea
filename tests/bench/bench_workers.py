#!/usr/bin/env python3
"""Benchmark of the dispatch in the deployed shape: 1 vs 2 cron workers sending the same queue.

For each number of dispatch jobs (1, then 2) it queues N e-mail contacts (committed, held
back), serves the database with ``--workers=2 --max-cron-threads=<jobs>``, releases the
contacts and wakes the jobs the way the planner does (``_trigger_dispatch``), and times the
queue until it is empty. Then it counts the e-mails per contact: any above one is a
duplicate. Odoo runs each cron job in one thread at a time, so the throughput of two
workers comes from two dispatch jobs sharing the ``SKIP LOCKED`` queue.

Usage: python3 tests/bench/bench_workers.py [--contacts 2000] [--db cobranca_bench_workers]
This prints timings; it is not a test and asserts nothing.
"""

import argparse
import datetime
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, ensure_database, free_port, open_registry, pg_environment
from bench_ruler import insert_receivables, prepare_ruler, remove_receivables

HOLD = "2999-01-01"


def queue_contacts(registry, count, jobs):
    """``count`` queued e-mail contacts held back, the other crons out of the way: (their ids, the
    receivables' prefix)."""
    import odoo  # noqa: PLC0415
    from odoo import api  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        company, journal = prepare_ruler(env)
        today = company._collection_today()
        # about one e-mail contact per three receivables on the bench's spread of due dates
        prefix = f"W{jobs}-{time.time_ns()}"
        insert_receivables(cr, company.id, journal.id, company.currency_id.id, count * 5, today, prefix=prefix)
        cr.execute("ANALYZE account_move")
        env["collection.ruler"]._plan_company(company, today)
        cr.execute(
            "SELECT id FROM collection_communication WHERE state = 'queued' AND channel = 'email' "
            "ORDER BY id DESC LIMIT %s",
            (count,),
        )
        ids = [row[0] for row in cr.fetchall()]
        cr.execute("UPDATE collection_communication SET state = 'cancelled' WHERE state = 'queued' AND id <> ALL(%s)",
                   (ids,))  # fmt: skip
        cr.execute("UPDATE collection_communication SET scheduled_at = %s WHERE id = ANY(%s)", (HOLD, ids))
        env["collection.communication"]._set_dispatch_jobs(jobs)
        # only the dispatch jobs run during the measure, and only when woken
        cr.execute("UPDATE ir_cron SET nextcall = %s", (HOLD,))
        cr.execute("DELETE FROM ir_cron_trigger")
        cr.commit()
    return ids, prefix


def release(registry, ids):
    import odoo  # noqa: PLC0415
    from odoo import api  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute(
            "UPDATE collection_communication SET scheduled_at = NOW() AT TIME ZONE 'UTC' - interval '1 minute' "
            "WHERE id = ANY(%s)",
            (ids,),
        )
        env["collection.communication"]._trigger_dispatch()
        cr.commit()


def progress(registry, ids):
    with registry.cursor() as cr:
        cr.execute(
            "SELECT COUNT(*) FILTER (WHERE state IN ('queued', 'sending')), COUNT(*) FILTER (WHERE state = 'sent') "
            "FROM collection_communication WHERE id = ANY(%s)",
            (ids,),
        )
        return cr.fetchone()


def duplicates(registry, ids):
    """(e-mails above one per contact, chatter messages above one per contact)."""
    with registry.cursor() as cr:
        cr.execute(
            """
            SELECT COALESCE(SUM(n - 1), 0) FROM (
                SELECT COUNT(*) AS n FROM mail_mail mm JOIN mail_message m ON m.id = mm.mail_message_id
                 WHERE m.model = 'collection.communication' AND m.res_id = ANY(%s) GROUP BY m.res_id) x
            """,
            (ids,),
        )
        mails = cr.fetchone()[0]
        cr.execute(
            """
            SELECT COALESCE(SUM(n - 1), 0) FROM (
                SELECT COUNT(*) AS n FROM mail_message m
                 WHERE m.model = 'collection.communication' AND m.res_id = ANY(%s) AND m.message_type = 'comment'
                 GROUP BY m.res_id) x
            """,
            (ids,),
        )
        return int(mails), int(cr.fetchone()[0])


def serve(db, jobs, log):
    port = free_port()
    env = dict(os.environ, **pg_environment())
    server = subprocess.Popen(
        # the reliability scripts' launcher: Odoo as deployed, its long-polling process left idle
        [sys.executable, str(ROOT / "tests" / "reliability" / "odoo_server.py"), "--addons-path", str(ROOT / "addons"),
         "-d", db, "--db-filter", f"^{db}$", "--http-interface=127.0.0.1",
         "--workers=2", f"--max-cron-threads={jobs}", f"--http-port={port}",
         "--limit-time-real-cron=0", "--log-level=info", f"--logfile={log}"],
        env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/web/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.5)
    os.killpg(server.pid, signal.SIGTERM)
    raise RuntimeError(f"Odoo did not start; see {log}")


def run(registry, db, contacts, jobs):
    ids, prefix = queue_contacts(registry, contacts, jobs)
    log = Path(tempfile.gettempdir()) / f"{db}-{jobs}-jobs.log"
    server = serve(db, jobs, log)
    try:
        time.sleep(3)  # the cron workers are up and listening
        release(registry, ids)
        start = time.perf_counter()
        while True:
            left, sent = progress(registry, ids)
            if not left:
                break
            if time.perf_counter() - start > 1800:
                raise RuntimeError(f"{left} contacts still queued after 30 minutes; see {log}")
            time.sleep(0.25)
        elapsed = time.perf_counter() - start
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    mails, messages = duplicates(registry, ids)
    with registry.cursor() as cr:
        remove_receivables(cr, prefix)  # the next run plans only its own
    return elapsed, sent, mails, messages


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--db", default="cobranca_bench_workers")
    args = parser.parse_args()
    ensure_database(args.db, "collections_ruler")
    registry = open_registry(args.db)
    print(f"dispatch workers benchmark on {datetime.date.today()} ({os.cpu_count()} CPUs), {args.contacts} e-mails")
    results = {}
    for jobs in (1, 2):
        elapsed, sent, mails, messages = run(registry, args.db, args.contacts, jobs)
        results[jobs] = elapsed
        print(
            f"   {jobs} cron worker{'s' if jobs > 1 else ' '} ({jobs} dispatch job{'s' if jobs > 1 else ''}): "
            f"{sent} sent in {elapsed:6.1f}s ({sent / elapsed:5.1f} e-mails/s) | duplicates: {mails} e-mails, "
            f"{messages} chatter messages",
            flush=True,
        )
    print(f"   throughput of 2 workers over 1: {results[1] / results[2]:4.2f}x", flush=True)


if __name__ == "__main__":
    main()
