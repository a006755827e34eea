#!/usr/bin/env python3
"""Reliability of the Pix webhook under real load and hostile input (not a unit test).

Builds a scratch database, serves it with Odoo as deployed (``--workers=2
--max-cron-threads=1``) and fires, over real HTTP from several threads at once:

- every valid notification of 60 charges delivered 3 times concurrently (at-least-once
  delivery, duplicates racing their first delivery);
- the same Pix notified again while the reconciliation cron is running;
- notifications of provider A's charges sent through provider B's URL (no HMAC on B);
- a few hundred malformed deliveries: NUL bytes, lone surrogates, deep nesting, NaN,
  years 1 and 9999, wrong types, three decimals, negative amounts, bad and non-ASCII
  secrets and signatures, form and text content types, an oversized Content-Length.

Then it waits for the reconciliation cron and prints the answer-code histogram per
kind of delivery, the 5xx count, double payments and payments across providers.
Usage: python3 tests/reliability/pix_webhook.py [--db cobranca_reliability] [--keep]
(``make reliability``). It asserts nothing; its exit code is 1 when a 5xx, a double
payment or a cross-provider payment was seen.
"""

import argparse
import collections
import concurrent.futures
import hashlib
import hmac
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from run_tests import free_port, pg_environment  # noqa: E402

CHARGES = 60
HMAC_SECRET = "reliability-hmac"
SETUP = """
import json
from odoo import Command
company = env.ref("base.main_company")
journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "bank")], limit=1)
Provider = env["collection.pix.provider"]
common = {"base_url": "https://127.0.0.1:1", "client_id": "x", "client_secret": "y", "journal_id": journal.id,
          "company_id": company.id, "pix_key": "2f8e1c6a-3b5d-4e7f-9a1b-c2d3e4f5a6b7"}
a = Provider.create({**common, "name": "PSP A", "webhook_hmac_secret": "%(hmac)s"})
b = Provider.create({**common, "name": "PSP B"})
partner = env["res.partner"].create({"name": "Reliability customer", "vat": "529.982.247-25"})
charges = []
for n in range(%(count)d):
    move = env["account.move"].create({
        "move_type": "out_invoice", "partner_id": partner.id, "invoice_date": "2026-11-01",
        "invoice_date_due": "2026-12-01",
        "invoice_line_ids": [Command.create({"name": "Service", "price_unit": 100 + n, "tax_ids": []})]})
    move.action_post()
    charge = env["collection.pix.charge"].create({
        "txid": "rel%%029d" %% n, "provider_id": a.id, "company_id": company.id, "move_id": move.id,
        "kind": "cob", "state": "active", "amount": 100 + n})
    charges.append({"txid": charge.txid, "amount": "%%.2f" %% (100 + n)})
env.cr.commit()
print("SETUP " + json.dumps({"a": [a.id, a.webhook_token], "b": [b.id, b.webhook_token], "charges": charges}))
"""
REPORT = """
import json
env.cr.execute("SELECT state, COUNT(*) FROM collection_pix_event GROUP BY state")
states = dict(env.cr.fetchall())
env.cr.execute('''SELECT COUNT(*) FROM (SELECT p.memo FROM account_payment p WHERE p.memo LIKE 'Pix %%'
                  GROUP BY p.memo HAVING COUNT(*) > 1) d''')
double_e2e = env.cr.fetchone()[0]
env.cr.execute('''SELECT COUNT(*) FROM (SELECT c.move_id FROM collection_pix_event e
                  JOIN collection_pix_charge c ON c.id = e.charge_id WHERE e.payment_id IS NOT NULL
                  GROUP BY c.move_id HAVING COUNT(*) > 1) d''')
double_invoice = env.cr.fetchone()[0]
env.cr.execute('''SELECT COUNT(*) FROM collection_pix_event e JOIN collection_pix_charge c ON c.id = e.charge_id
                  WHERE e.payment_id IS NOT NULL AND e.provider_id <> c.provider_id''')
cross = env.cr.fetchone()[0]
env.cr.execute("SELECT COUNT(*) FROM collection_pix_charge WHERE state = 'paid'")
paid = env.cr.fetchone()[0]
print("REPORT " + json.dumps({"events": states, "double_payments_same_pix": double_e2e,
      "invoices_paid_twice": double_invoice, "cross_provider_payments": cross, "charges_paid": paid}))
"""


def odoo(db, *args, env, command=(), **kwargs):
    cmd = [sys.executable, "-m", "odoo", *command, "--addons-path", str(ROOT / "addons"), "-d", db, *args]
    return subprocess.run(cmd, env=env, cwd=ROOT, **kwargs)


def shell(db, code, env, marker):
    out = odoo(
        db, "--no-http", "--log-level=warn", command=("shell",), env=env, input=code, capture_output=True, text=True
    )
    for line in out.stdout.splitlines():
        if line.startswith(marker + " "):
            return json.loads(line[len(marker) + 1 :])
    raise RuntimeError(f"odoo shell failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")


def post(port, path, body, headers):
    """One delivery over a fresh connection, as a PSP makes them; returns the status (or 'no answer')."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.putrequest("POST", path, skip_accept_encoding=True)
        for key, value in headers.items():
            connection.putheader(key, value)
        connection.endheaders()
        if body:
            connection.send(body)
        return connection.getresponse().status
    except (OSError, http.client.HTTPException) as error:
        return f"no answer ({type(error).__name__})"
    finally:
        connection.close()


def signed(body, secret=HMAC_SECRET):
    return {"X-Pix-Signature": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


def json_headers(body, extra=None):
    return {"Content-Type": "application/json", "Content-Length": str(len(body)), **(extra or {})}


def record(e2e, txid, amount, **changes):
    base = {"endToEndId": e2e, "txid": txid, "valor": amount, "horario": "2026-11-28T12:00:00Z"}
    base.update(changes)
    return base


def deliveries(setup):
    """(kind, path, body, headers) of every delivery to fire, valid ones first in the list."""
    (a_id, a_token), (b_id, b_token) = setup["a"], setup["b"]
    a_path, b_path = f"/collections_pix/webhook/{a_id}/{a_token}/pix", f"/collections_pix/webhook/{b_id}/{b_token}/pix"
    out = []
    for n, charge in enumerate(setup["charges"]):
        body = json.dumps({"pix": [record(f"E{n:031d}", charge["txid"], charge["amount"])]}).encode()
        for _copy in range(3):  # at least once, and concurrently with itself
            out.append(("valid (x3)", a_path, body, json_headers(body, signed(body))))
    # Through the other provider's URL (which has no HMAC): must pay nothing.
    for n, charge in enumerate(setup["charges"][:20]):
        body = json.dumps({"pix": [record(f"X{n:031d}", charge["txid"], charge["amount"])]}).encode()
        out.append(("other provider's URL", b_path, body, json_headers(body)))
    good = setup["charges"][0]
    malformed = {
        "NUL byte": {"pix": [record("M" + "0" * 31, good["txid"], "1.00", infoPagador="a\x00b")]},
        "lone surrogate": '{"pix": [{"endToEndId": "M%s", "txid": "t", "valor": "1.00", '
        '"horario": "2026-11-28T12:00:00Z", "infoPagador": "\\ud800"}]}',
        "deep nesting": '{"pix": ' + "[" * 50_000 + "]" * 50_000 + "}",
        "NaN": '{"pix": [{"endToEndId": "M%s", "valor": NaN}]}',
        "year 1": {"pix": [record("M" + "1" * 31, good["txid"], "1.00", horario="0001-01-01T00:00:00+01:00")]},
        "year 9999": {"pix": [record("M" + "2" * 31, good["txid"], "1.00", horario="9999-12-31T23:59:59-03:00")]},
        "wrong types": {"pix": [{"endToEndId": 5, "txid": [], "valor": 1.5, "horario": {}}]},
        "three decimals": {"pix": [record("M" + "3" * 31, good["txid"], "1.001")]},
        "negative": {"pix": [record("M" + "4" * 31, good["txid"], "-1.00")]},
        "not JSON": "pix=1",
        "empty list": {"pix": []},
    }
    for round_ in range(20):
        for kind, payload in malformed.items():
            text = payload if isinstance(payload, str) else json.dumps(payload)
            body = text.replace("M%s", "M" + f"{round_:031d}").encode("utf-8", "surrogatepass")
            out.append((f"malformed: {kind}", a_path, body, json_headers(body, signed(body))))
        body = json.dumps({"pix": [record("S" * 32, good["txid"], good["amount"])]}).encode()
        out.append(("bad signature", a_path, body, json_headers(body, {"X-Pix-Signature": "sha256=" + "0" * 64})))
        out.append(("non-ASCII signature", a_path, body, json_headers(body, {"X-Pix-Signature": "sha256=é".encode()})))
        out.append(("bad secret", f"/collections_pix/webhook/{a_id}/wrong/pix", body, json_headers(body)))
        out.append(("non-ASCII secret", f"/collections_pix/webhook/{a_id}/%C3%A9%C3%A9/pix", body, json_headers(body)))
        out.append(
            ("form content type", a_path, b"pix=1", {"Content-Type": "application/x-www-form-urlencoded",
                                                     "Content-Length": "5"})
        )  # fmt: skip
        out.append(
            ("text content type", a_path, body, {"Content-Type": "text/plain", "Content-Length": str(len(body))})
        )
        out.append(("Content-Length of 50 MB", a_path, b"", {"Content-Type": "application/json",
                                                             "Content-Length": str(50 * 1024 * 1024)}))  # fmt: skip
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="cobranca_reliability")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    env = dict(os.environ, **pg_environment())
    subprocess.run(["dropdb", "--if-exists", "--force", args.db], env=env, check=True)
    print(f"== installing the addons in {args.db}", flush=True)
    odoo(args.db, "-i", "collections_pix", "--without-demo=all", "--stop-after-init", "--log-level=warn",
         f"--http-port={free_port()}", env=env, check=True)  # fmt: skip
    setup = shell(args.db, SETUP % {"hmac": HMAC_SECRET, "count": CHARGES}, env, "SETUP")
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"{args.db}-server.log"
    print(f"== serving with --workers=2 --max-cron-threads=1 on port {port} (log: {log})", flush=True)
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("odoo_server.py")), "--addons-path", str(ROOT / "addons"),
         "-d", args.db, f"--db-filter=^{args.db}$",
         "--workers=2", "--max-cron-threads=1", f"--http-port={port}", "--http-interface=127.0.0.1",
         f"--logfile={log}", "--limit-time-real-cron=60"],
        env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    try:
        for _wait in range(120):
            if isinstance(post(port, "/web/health", b"", {"Content-Length": "0"}), int):
                break
            time.sleep(0.5)
        plan = deliveries(setup)
        histogram = collections.defaultdict(collections.Counter)
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(args.threads) as pool:
            futures = {pool.submit(post, port, path, body, headers): kind for kind, path, body, headers in plan}
            for future in concurrent.futures.as_completed(futures):
                histogram[futures[future]][future.result()] += 1
        elapsed = time.monotonic() - started
        # The same Pix again while the cron reconciles what came: must still be answered fast, and 200.
        redelivery = []
        body = json.dumps({"pix": [record("E" + "0" * 31, setup["charges"][0]["txid"], setup["charges"][0]["amount"])]})
        for _n in range(10):
            moment = time.monotonic()
            status = post(port, plan[0][1], body.encode(), json_headers(body.encode(), signed(body.encode())))
            redelivery.append((status, time.monotonic() - moment))
            time.sleep(0.3)
        for _wait in range(240):  # let the cron reconcile everything
            report = shell(args.db, REPORT, env, "REPORT")
            if not report["events"].get("new"):
                break
            time.sleep(1)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    print(f"\n{len(plan)} deliveries in {elapsed:.1f} s from {args.threads} threads\n")
    print(f"{'delivery':<28} answers")
    fivexx = 0
    for kind in sorted(histogram, key=lambda k: (not k.startswith("valid"), k)):
        counts = histogram[kind]
        fivexx += sum(n for status, n in counts.items() if not isinstance(status, int) or status >= 500)
        print(f"{kind:<28} " + ", ".join(f"{status}: {n}" for status, n in sorted(counts.items(), key=str)))
    slowest = max(seconds for _status, seconds in redelivery)
    print(f"{'redelivery during reconcile':<28} " + ", ".join(
        f"{status}: {n}" for status, n in collections.Counter(s for s, _t in redelivery).items()
    ) + f" (slowest {slowest:.2f} s)")  # fmt: skip
    print(f"\n5xx or no answer: {fivexx}")
    print(f"events by state: {report['events']}")
    print(f"charges paid: {report['charges_paid']} of {CHARGES}")
    print(f"double payments (same Pix): {report['double_payments_same_pix']}")
    print(f"invoices paid twice: {report['invoices_paid_twice']}")
    print(f"payments across providers: {report['cross_provider_payments']}")
    with open(log, encoding="utf-8", errors="replace") as handle:
        errors = [line for line in handle if " ERROR " in line or " CRITICAL " in line]
    print(f"ERROR lines in the server log: {len(errors)}")
    for line in errors[:5]:
        print("  " + line.rstrip()[:200])
    if not args.keep:
        subprocess.run(["dropdb", "--if-exists", "--force", args.db], env=env, check=True)
    bad = fivexx or report["double_payments_same_pix"] or report["invoices_paid_twice"]
    return 1 if bad or report["cross_provider_payments"] or errors else 0


if __name__ == "__main__":
    sys.exit(main())
