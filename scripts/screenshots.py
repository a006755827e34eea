"""Screenshots of the main screens of a served demo, in headless Chromium, into docs/screenshots/.

    make run                              # in another terminal: the demo on :8069
    python3 scripts/screenshots.py        # logs in as the demo's finance user (pt_BR)

Each screen is opened as the user opens it (a web client URL, or the portal with the demo
customer's login), given time to render, and captured at 1400x900.
"""

import argparse
import base64
import datetime
import json
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time
import xmlrpc.client

import requests
import websocket

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    def __init__(self, width=1400, height=900, mobile=False):
        binary = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        if not binary:
            raise SystemExit("Chromium is needed: bash scripts/setup.sh installs it.")
        self.port = _free_port()
        self.profile = tempfile.TemporaryDirectory(prefix="shots-")
        self.process = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--remote-debugging-port={self.port}",
                f"--user-data-dir={self.profile.name}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                target = requests.put(f"http://127.0.0.1:{self.port}/json/new?about:blank", timeout=2).json()
                break
            except (requests.ConnectionError, ValueError):
                time.sleep(0.1)
        else:
            raise SystemExit("Chromium did not start.")
        self.ws = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.next_id = 0
        self.call("Page.enable")
        self.call("Network.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=mobile)
        self.width = width

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def login(self, base_url, db, login, password):
        self.call("Network.clearBrowserCookies")
        session = requests.Session()
        response = session.post(
            f"{base_url}/web/session/authenticate",
            json={"jsonrpc": "2.0", "params": {"db": db, "login": login, "password": password}},
            timeout=30,
        )
        response.raise_for_status()
        if response.json().get("error"):
            raise SystemExit(f"cannot log in as {login}: {response.json()['error']['data']['message']}")
        self.call("Network.setCookie", name="session_id", value=session.cookies["session_id"], url=base_url)

    def shot(self, url, path, wait=3.0, script=None, full_page=False, after=1.5):
        self.call("Page.navigate", url=url)
        time.sleep(wait)
        if script:
            self.call("Runtime.evaluate", expression=script, awaitPromise=True)
            time.sleep(after)
        options = {}
        if full_page:  # the whole page, as the customer scrolls it
            height = self.call("Page.getLayoutMetrics")["cssContentSize"]["height"]
            options = {
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": self.width, "height": min(height, 6000), "scale": 1},
            }
        data = self.call("Page.captureScreenshot", format="png", **options)["data"]
        path.write_bytes(base64.b64decode(data))
        print(f"{path.relative_to(ROOT)}  <- {url}")

    def close(self):
        self.ws.close()
        self.process.terminate()
        self.process.wait(10)
        self.profile.cleanup()


CLICK_TAB = """
(async () => {{
  const tab = [...document.querySelectorAll('.o_notebook .nav-link')].find(a => a.textContent.trim() === {label!r});
  if (tab) tab.click();
  await new Promise(r => setTimeout(r, 500));
  const page = document.querySelector('.o_notebook .tab-content');
  if (page) page.scrollIntoView({{block: "start"}});
}})()
"""


PICK_AND_NEGOTIATE = """
document.querySelectorAll('.o_collection_pick').forEach(box => { box.checked = true; });
setTimeout(() => document.querySelector('.o_collection_negotiate').click(), 100);
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="cobranca_demo")
    parser.add_argument("--login", default="financeiro")
    parser.add_argument("--password", default="financeiro")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    common = xmlrpc.client.ServerProxy(f"{args.url}/xmlrpc/2/common")
    uid = common.authenticate(args.db, args.login, args.password, {})
    rpc = xmlrpc.client.ServerProxy(f"{args.url}/xmlrpc/2/object", allow_none=True)

    def search(model, domain, **kw):
        return rpc.execute_kw(args.db, uid, args.password, model, "search_read", [domain], kw)

    customer = search("res.partner", [("name", "=", "Construtora Horizonte Ltda")], fields=["id"], limit=1)[0]
    ruler = search("collection.ruler", [("usage", "=", "invoice")], fields=["id"], limit=1)[0]
    agreement = search("collection.agreement", [("state", "=", "active")], fields=["id"], limit=1)[0]
    invoice = search(
        "account.move",
        [
            ("move_type", "=", "out_invoice"),
            ("payment_state", "=", "not_paid"),
            ("collection_agreement_id", "=", False),
            ("invoice_date_due", "<", (datetime.date.today() - datetime.timedelta(days=20)).isoformat()),
        ],
        fields=["id"],
        limit=1,
    )[0]
    portal_path = rpc.execute_kw(args.db, uid, args.password, "account.move", "get_portal_url", [[invoice["id"]]])

    browser = Browser()
    try:
        browser.login(args.url, args.db, args.login, args.password)
        u = args.url
        browser.call("Page.navigate", url=f"{u}/odoo")  # the first visit builds the asset bundles
        time.sleep(12)
        browser.shot(f"{u}/odoo/action-collections_ruler.res_partner_action_collection_worklist", out / "worklist.png")
        browser.shot(f"{u}/odoo/action-collections_ruler.account_move_overdue_action", out / "overdue.png")
        browser.shot(f"{u}/odoo/action-collections_ruler.collection_communication_action", out / "contacts.png")
        browser.shot(
            f"{u}/odoo/res.partner/{customer['id']}",
            out / "customer.png",
            script=CLICK_TAB.format(label="Cobrança"),
        )
        browser.shot(f"{u}/odoo/action-collections_ruler.collection_ruler_action/{ruler['id']}", out / "ruler.png")
        browser.shot(
            f"{u}/odoo/action-collections_ruler.collection_agreement_action/{agreement['id']}", out / "agreement.png"
        )
        browser.shot(f"{u}/odoo/action-collections_ruler.res_config_settings_action", out / "settings.png")
        browser.shot(f"{u}/odoo/action-collections_ruler.collection_dashboard_action", out / "dashboard.png")
        browser.shot(f"{u}/odoo/action-collections_ruler.collection_aging_report_action", out / "aging.png")
        browser.shot(
            f"{u}/odoo/action-collections_ruler.collection_effectiveness_report_action", out / "effectiveness.png"
        )
        browser.shot(
            f"{u}/report/html/collections_ruler.report_collection_statement/{customer['id']}", out / "statement.png"
        )
        browser.shot(
            f"{u}/odoo/account.move/{invoice['id']}",
            out / "invoice.png",
            script=CLICK_TAB.format(label="Cobrança"),
        )
        boleto = search("collection.boleto", [("state", "=", "registered")], fields=["id"], limit=1)
        if boleto:
            browser.shot(f"{u}/report/html/collections_pix.report_boleto/{boleto[0]['id']}", out / "boleto.png")
        ret = search("collection.bank.return", [], fields=["id"], limit=1)
        if ret:
            browser.shot(
                f"{u}/odoo/action-collections_pix.collection_bank_return_action/{ret[0]['id']}", out / "return.png"
            )
        browser.call("Network.clearBrowserCookies")
        browser.shot(f"{u}{portal_path}", out / "portal_invoice.png")
    finally:
        browser.close()
    portal_pages(args, out)


def portal_pages(args, out):
    """The customer's debts page and the agreement options, as the demo customer sees them, on a desktop
    and on a phone (375 px)."""
    for suffix, size in (
        ("", {"width": 1400, "height": 900}),
        ("_phone", {"width": 375, "height": 812, "mobile": True}),
    ):
        browser = Browser(**size)
        try:
            browser.login(args.url, args.db, "cliente", "cliente")
            browser.call("Page.navigate", url=f"{args.url}/my")
            time.sleep(6)
            browser.shot(f"{args.url}/my/debts", out / f"portal_debts{suffix}.png", full_page=True)
            browser.shot(
                f"{args.url}/my/debts",
                out / f"portal_negotiate{suffix}.png",
                script=PICK_AND_NEGOTIATE,
                full_page=True,
                after=4.0,
            )
        finally:
            browser.close()


if __name__ == "__main__":
    main()
