"""The demo's local SMTP server: every message Odoo sends, readable.

Each message is kept as ``<folder>/<n>-<subject>.eml`` (the bytes Odoo sent, openable in any
mail client) and ``<n>-<subject>.html`` (its HTML part with its inline images, or its text),
and ``<folder>/index.html`` lists them newest first: date, from, to, subject, attachments.
A line per message also goes to standard output.

    python3 scripts/mail_catcher.py --port 1025 --folder .cache/mail
"""

import argparse
import email
import email.policy
import html
import pathlib
import re
import signal
import sys
import threading
import unicodedata
from datetime import datetime

from aiosmtpd.controller import Controller


def _slug(text, length=50):
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:length].lower() or "message"


def _html_of(message):
    """The message's HTML body with its cid: images inlined, or its text body in a <pre>."""
    body = message.get_body(preferencelist=("html", "plain"))
    if body is None:
        return "<p>(no body)</p>"
    content = body.get_content()
    if body.get_content_type() != "text/html":
        return f"<pre>{html.escape(content)}</pre>"
    for part in message.walk():
        cid = (part.get("Content-ID") or "").strip("<>")
        if cid and part.get_content_maintype() == "image":
            data = part.get_payload(decode=False).replace("\n", "")
            content = content.replace(f"cid:{cid}", f"data:{part.get_content_type()};base64,{data}")
    return content


class MailFolder:
    def __init__(self, folder):
        self.folder = pathlib.Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.lock = threading.Lock()

    def _next_number(self):
        numbers = [int(p.name.split("-", 1)[0]) for p in self.folder.glob("*.eml") if p.name.split("-", 1)[0].isdigit()]
        return max(numbers, default=0) + 1

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            stem = f"{self._next_number():05d}-{_slug(message.get('Subject'))}"
            (self.folder / f"{stem}.eml").write_bytes(envelope.content)
            attachments = [part.get_filename() for part in message.iter_attachments() if part.get_filename()]
            header = "".join(
                f"<div><b>{label}:</b> {html.escape(str(message.get(name) or ''))}</div>"
                for label, name in (("From", "From"), ("To", "To"), ("Subject", "Subject"), ("Date", "Date"))
            )
            if attachments:
                header += f"<div><b>Attachments:</b> {html.escape(', '.join(attachments))}</div>"
            page = (
                '<!DOCTYPE html><html><head><meta charset="utf-8">'
                f"<title>{html.escape(str(message.get('Subject') or ''))}</title></head><body>"
                '<div style="font-family:sans-serif;font-size:13px;background:#f4f4f4;padding:8px;'
                f'margin-bottom:12px">{header}<div><a href="{stem}.eml">{stem}.eml</a> · '
                f'<a href="index.html">all messages</a></div></div>{_html_of(message)}</body></html>'
            )
            (self.folder / f"{stem}.html").write_text(page, encoding="utf-8")
            self._write_index()
        sys.stdout.write(
            f"{datetime.now():%Y-%m-%d %H:%M:%S} {envelope.mail_from} -> {', '.join(envelope.rcpt_tos)}: "
            f"{message.get('Subject')} ({self.folder / stem}.html)\n"
        )
        sys.stdout.flush()
        return "250 Message accepted for delivery"

    def _write_index(self):
        rows = []
        for eml in sorted(self.folder.glob("*.eml"), reverse=True):
            message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
            attachments = [part.get_filename() for part in message.iter_attachments() if part.get_filename()]
            cells = (
                html.escape(str(message.get("Date") or "")),
                html.escape(str(message.get("From") or "")),
                html.escape(str(message.get("To") or "")),
                f'<a href="{eml.stem}.html">{html.escape(str(message.get("Subject") or "(no subject)"))}</a>',
                html.escape(", ".join(attachments)),
                f'<a href="{eml.name}">.eml</a>',
            )
            rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
        (self.folder / "index.html").write_text(
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>E-mails sent by Odoo</title>'
            "<style>body{font-family:sans-serif;font-size:13px}td,th{padding:4px 8px;text-align:left;"
            "border-bottom:1px solid #ddd}</style></head><body>"
            f"<h1>E-mails sent by Odoo ({len(rows)})</h1><table><tr><th>Date</th><th>From</th><th>To</th>"
            "<th>Subject</th><th>Attachments</th><th></th></tr>" + "".join(rows) + "</table></body></html>",
            encoding="utf-8",
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--folder", default=".cache/mail")
    args = parser.parse_args(argv)
    controller = Controller(MailFolder(args.folder), hostname=args.host, port=args.port)
    controller.start()
    sys.stdout.write(f"mail catcher on {args.host}:{args.port}, messages in {args.folder}/index.html\n")
    sys.stdout.flush()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
