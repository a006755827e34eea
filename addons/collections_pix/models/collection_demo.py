import datetime
import os

from odoo import Command, api, fields, models

# name, is company, CPF/CNPJ, e-mail, mobile, payment behaviour in the past year
DEMO_CUSTOMERS = [
    ("Ana Paula Ribeiro", False, "104.332.181-00", "ana.ribeiro", "+55 11 98765-4321", "on_time"),
    ("Bruno Carvalho Souza", False, "960.013.389-14", "bruno.souza", "+55 21 99876-1234", "late"),
    ("Carla Mendes Oliveira", False, "083.863.794-99", "carla.mendes", "+55 31 98123-4567", "on_time"),
    ("Diego Fernandes Lima", False, "026.542.351-14", "diego.lima", "+55 41 99654-3210", "very_late"),
    ("Eduarda Costa Martins", False, "161.559.407-89", "eduarda.martins", "+55 51 98888-7777", "late"),
    ("Felipe Araújo Rocha", False, "816.184.959-50", "felipe.rocha", "+55 61 99111-2222", "on_time"),
    ("Padaria Pão Dourado Ltda", True, "31.034.131/0001-13", "financeiro.paodourado", "+55 11 97777-1111", "on_time"),
    ("Mercadinho Boa Vista ME", True, "64.752.553/0001-83", "contato.boavista", "+55 19 98222-3333", "late"),
    (
        "Oficina Mecânica Dois Irmãos Ltda",
        True,
        "41.928.327/0001-05",
        "adm.doisirmaos",
        "+55 27 99333-4444",
        "very_late",
    ),
    ("Clínica Sorriso Feliz S/S", True, "64.835.030/0001-09", "financeiro.sorriso", "+55 71 98444-5555", "on_time"),
    ("Construtora Horizonte Ltda", True, "56.413.953/0001-36", "contas.horizonte", "+55 81 99555-6666", "late"),
    ("Escola Aprender Mais Ltda", True, "76.724.238/0001-21", "secretaria.aprender", "+55 85 98666-7777", "on_time"),
]
# Open receivables: (customer index, amount, days until due: negative = overdue)
DEMO_OPEN_INVOICES = [
    (0, 450.00, 5),
    (6, 1280.00, 5),
    (2, 320.50, 2),
    (9, 2100.00, 0),
    (1, 189.90, -1),
    (7, 760.00, -3),
    (4, 1250.00, -7),
    (10, 8900.00, -10),
    (1, 215.00, -15),
    (3, 599.00, -21),
    (8, 3450.00, -30),
    (7, 980.00, -45),
    (3, 1320.00, -60),
    (10, 4500.00, -75),
    (8, 2750.00, -90),
]
# How many days after the due date each behaviour pays its past invoices.
DEMO_DAYS_LATE = {"on_time": (0, -2, 0), "late": (6, 12, 9), "very_late": (25, 40, 33)}


DEMO_PIX_KEY = "2f8e1c6a-3b5d-4e7f-9a1b-c2d3e4f5a6b7"  # the sandbox's default key


class CollectionDemo(models.AbstractModel):
    """Builds the demo company (demo/collections_demo.xml): data relative to the day it is loaded."""

    _name = "collection.demo"
    _description = "Collections Demo Data"

    @api.model
    def _collections_create_demo_data(self):
        """Demo company on the Brazilian chart with customers and a year of invoices.

        Dates are relative to the day the demo is loaded, so the ruler always has
        receivables from "due in 5 days" to "90 days overdue" to work on.
        """
        if not self.env.registry.loaded:
            # A chart template must be loaded with every module's extensions in the
            # registry: finish in _register_hook, once the registry is loaded.
            self.env.registry.collections_demo_pending = True
            return self.env["res.company"]
        # Portuguese first: the company's chart, default ruler and policy are then named in it too.
        self.env["res.lang"]._activate_lang("pt_BR")
        company = self._collections_create_demo_company()
        self = self.with_company(company).with_context(
            allowed_company_ids=company.ids, tracking_disable=True, mail_notrack=True
        )
        partners = self._collections_create_demo_customers(company)
        today = fields.Date.context_today(self)
        history = []
        for partner, (*_info, behaviour) in zip(partners, DEMO_CUSTOMERS, strict=True):
            for months_ago, days_late in zip((4, 3, 2), DEMO_DAYS_LATE[behaviour], strict=True):
                due = today - datetime.timedelta(days=30 * months_ago)
                invoice = self._collections_create_demo_invoice(partner, 150.0 * months_ago + 99.9, due)
                history.append((invoice, due + datetime.timedelta(days=days_late)))
        for index, amount, days_to_due in DEMO_OPEN_INVOICES:
            due = today + datetime.timedelta(days=days_to_due)
            self._collections_create_demo_invoice(partners[index], amount, due)
        bank_journal = self.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "bank")], limit=1
        )
        for invoice, paid_on in history:
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"payment_date": paid_on, "journal_id": bank_journal.id})._create_payments()
        # Show the ruler at work: customers scored, today's contacts planned (sent by the cron).
        self.env["res.partner"]._cron_compute_collection_risk()
        self.env["collection.ruler"]._plan_company(company, company._collection_today())
        # Pix through the local PSP sandbox (make run and docker compose start it).
        self.env["collection.pix.provider"].create(
            {
                "name": "PSP Sandbox",
                "company_id": company.id,
                "base_url": os.environ.get("COBRANCA_PSP_URL", "http://127.0.0.1:8099"),
                "allow_http": True,
                "client_id": "demo",
                "client_secret": "demo",
                "pix_key": DEMO_PIX_KEY,
                "journal_id": bank_journal.id,
            }
        )
        return company

    def _register_hook(self):
        super()._register_hook()
        if getattr(self.env.registry, "collections_demo_pending", False):
            del self.env.registry.collections_demo_pending
            self._collections_create_demo_data()

    @api.model
    def _collections_create_demo_company(self):
        brl = self.env.ref("base.BRL")
        brl.active = True
        vals = {
            "name": "Cobrança Demo Ltda",
            "vat": "84.969.653/0001-73",
            "street": "Avenida Paulista, 1000",
            "city": "São Paulo",
            "zip": "01310-100",
            "state_id": self.env.ref("base.state_br_sp").id,
            "country_id": self.env.ref("base.br").id,
            "currency_id": brl.id,
            "email": "financeiro@cobranca-demo.example.com",
            "phone": "+55 11 3000-1000",
        }
        if "iap_enrich_auto_done" in self.env["res.company"]._fields:
            # partner_autocomplete would call its online service for a fictitious company
            vals["iap_enrich_auto_done"] = True
        company = self.env["res.company"].create(vals)
        self.env["account.chart.template"].try_loading("br", company, install_demo=False)
        admin = self.env.ref("base.user_admin")
        admin.write({"company_ids": [Command.link(company.id)], "company_id": company.id})
        return company

    @api.model
    def _collections_create_demo_customers(self, company):
        id_types = {
            False: self.env.ref("l10n_br.cpf"),
            True: self.env.ref("l10n_br.cnpj"),
        }
        pt_br = self.env["res.lang"]._activate_lang("pt_BR")
        return self.env["res.partner"].create(
            [
                {
                    "name": name,
                    "is_company": is_company,
                    "company_id": company.id,
                    "vat": tax_id,
                    "l10n_latam_identification_type_id": id_types[is_company].id,
                    "email": f"{mailbox}@example.com",
                    "mobile": mobile,
                    "country_id": self.env.ref("base.br").id,
                    "lang": pt_br.code,
                }
                for name, is_company, tax_id, mailbox, mobile, _behaviour in DEMO_CUSTOMERS
            ]
        )

    @api.model
    def _collections_create_demo_invoice(self, partner, amount, due):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": due - datetime.timedelta(days=30),
                "invoice_date_due": due,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Serviços de assinatura mensal",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        return invoice
