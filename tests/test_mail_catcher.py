"""The demo's mail catcher keeps each message Odoo sends as .eml + readable .html, with an index."""

import importlib.util
import smtplib
import socket
from email.message import EmailMessage
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("mail_catcher", ROOT / "scripts" / "mail_catcher.py")
mail_catcher = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mail_catcher)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def catcher(tmp_path):
    port = _free_port()
    folder = tmp_path / "mail"
    controller = mail_catcher.Controller(mail_catcher.MailFolder(folder), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, folder
    controller.stop()


def _reminder(subject, to):
    message = EmailMessage()
    message["From"] = "Cobrança Demo <financeiro@cobranca-demo.example.com>"
    message["To"] = to
    message["Subject"] = subject
    message.set_content("Olá, a fatura INV/2026/00012 vence em 3 dias.")
    message.add_alternative(
        '<p>Olá, a fatura <b>INV/2026/00012</b> vence em 3 dias.</p><img src="cid:qr-1"/>', subtype="html"
    )
    message.get_payload()[1].add_related(b"\x89PNG fake", maintype="image", subtype="png", cid="<qr-1>")
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="INV_2026_00012.pdf")
    return message


def test_each_message_is_an_eml_a_readable_page_and_a_line_of_the_index(catcher):
    port, folder = catcher
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.send_message(_reminder("Cobrança Demo: lembrete de vencimento", "ana.ribeiro@example.com"))
        smtp.send_message(_reminder("Cobrança Demo: aviso final", "bruno.souza@example.com"))
    emls = sorted(folder.glob("*.eml"))
    assert [p.name for p in emls] == [
        "00001-cobranca-demo-lembrete-de-vencimento.eml",
        "00002-cobranca-demo-aviso-final.eml",
    ]
    page = (folder / "00001-cobranca-demo-lembrete-de-vencimento.html").read_text()
    assert "<b>INV/2026/00012</b> vence em 3 dias" in page
    assert 'src="data:image/png;base64,' in page and "cid:qr-1" not in page
    assert "INV_2026_00012.pdf" in page and "ana.ribeiro@example.com" in page
    index = (folder / "index.html").read_text()
    assert "E-mails sent by Odoo (2)" in index
    assert index.index("aviso final") < index.index("lembrete de vencimento"), "newest first"
    assert 'href="00002-cobranca-demo-aviso-final.html"' in index


def test_numbering_goes_on_after_a_restart(tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "00007-old.eml").write_bytes(b"Subject: old\r\n\r\nbody")
    assert mail_catcher.MailFolder(folder)._next_number() == 8
