import base64
import datetime
import os

from odoo import Command, api, models
from odoo.tools import file_open

from odoo.addons.collections_ruler.tools.schedule import next_contact_moment

from ..tools import api_pix
from ..tools.cnab.bank_sandbox import SANDBOX_BB_ACCOUNT, return_240

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
    (1, 480.00, -33),  # partly paid: the portal customer's oldest debt
    (3, 599.00, -21),
    (8, 3450.00, -30),
    (7, 980.00, -45),
    (3, 1320.00, -60),
    (10, 4500.00, -75),
    (8, 2750.00, -90),
]
# How many days after the due date each behaviour pays its past invoices.
DEMO_DAYS_LATE = {"on_time": (0, -2, 0), "late": (6, 12, 9), "very_late": (25, 40, 33)}

# The last month, replayed day by day by the ruler itself (days relative to the day the demo is
# loaded: -12 is twelve days ago). Invoices of the story: (key, customer index, amount, due).
DEMO_STORY_INVOICES = [
    ("paid_after_reminder", 5, 640.00, -12),  # the D+1 reminder goes, paid three days later
    ("paid_after_escalation", 11, 1890.00, -25),  # paid the day after the D+7 escalation
    ("promise_kept", 2, 410.00, -18),  # promised at D+2 for D+8, paid that day
    ("promise_broken", 4, 530.00, -20),  # promised at D+3 for D+8, not paid: the ruler resumes
    ("pix_webhook", 9, 980.00, -8),  # a Pix charge paid through the PSP's webhook on the due date
]
# (day, what happens): payments, promises, agreements and the Pix, in the order of the month.
DEMO_STORY_EVENTS = [
    (-29, "agreement_broken"),  # Diego Fernandes Lima agrees 2x on his oldest debt; never pays
    (-22, "pay:paid_after_escalation"),
    (-20, "agreement_active"),  # Construtora Horizonte agrees 3x on its oldest debt
    (-17, "promise:promise_broken:-12"),
    (-16, "promise:promise_kept:-10"),
    (-15, "pay_installment"),  # the active agreement's first installment is paid on its day
    (-10, "pay:promise_kept"),
    (-9, "pay:paid_after_reminder"),
    (-9, "pix_charge:pix_webhook"),
    (-8, "pix_paid:pix_webhook"),
]


DEMO_PIX_KEY = "2f8e1c6a-3b5d-4e7f-9a1b-c2d3e4f5a6b7"  # the sandbox's default key
DEMO_FINANCE_LOGIN = "financeiro"  # password "financeiro": the finance lead, in Portuguese
DEMO_PORTAL_LOGIN = "cliente"  # password "cliente": Bruno Carvalho Souza, who pays late and owes three debts
DEMO_PORTAL_CUSTOMER = 1
DEMO_PORTAL_PARTIAL = 180.00  # paid on his 480.00 debt a week after it fell due


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
        # As the administrator, not OdooBot: the history's messages have a person as author.
        self = (
            self.with_user(self.env.ref("base.user_admin"))
            .with_company(company)
            .with_context(allowed_company_ids=company.ids, tracking_disable=True, mail_notrack=True)
        )
        partners = self._collections_create_demo_customers(company)
        finance = self._collections_create_demo_finance_user(company)
        # The month is lived by the finance lead, in Portuguese: what it writes is in her words.
        self = self.with_user(finance).with_context(collections_demo_salesperson=finance.id, lang="pt_BR")
        today = company._collection_today()
        history = []
        for partner, (*_info, behaviour) in zip(partners, DEMO_CUSTOMERS, strict=True):
            for months_ago, days_late in zip((4, 3, 2), DEMO_DAYS_LATE[behaviour], strict=True):
                due = today - datetime.timedelta(days=30 * months_ago)
                invoice = self._collections_create_demo_invoice(partner, 150.0 * months_ago + 99.9, due)
                history.append((invoice, due + datetime.timedelta(days=days_late)))
        open_invoices = []
        for index, amount, days_to_due in DEMO_OPEN_INVOICES:
            due = today + datetime.timedelta(days=days_to_due)
            open_invoices.append(self._collections_create_demo_invoice(partners[index], amount, due))
        bank_journal = self.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "bank")], limit=1
        )
        oldest = min(
            (inv for inv in open_invoices if inv.partner_id == partners[DEMO_PORTAL_CUSTOMER]),
            key=lambda inv: inv.invoice_date_due,
        )
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=oldest.ids).create(
            {
                "amount": DEMO_PORTAL_PARTIAL,
                "payment_date": oldest.invoice_date_due + datetime.timedelta(days=7),
                "journal_id": bank_journal.id,
            }
        )._create_payments()
        for invoice, paid_on in history:
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"payment_date": paid_on, "journal_id": bank_journal.id})._create_payments()
        story = {
            key: self._collections_create_demo_invoice(partners[index], amount, today + datetime.timedelta(days=due))
            for key, index, amount, due in DEMO_STORY_INVOICES
        }
        self.env["res.partner"]._cron_compute_collection_risk()
        # Pix through the local PSP sandbox (make run and docker compose start it, and it registers
        # this provider's webhook).
        provider = self.env["collection.pix.provider"].create(
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
        self._collections_demo_experiment(company)
        self._collections_replay_month(company, today, partners, story, provider, bank_journal)
        self._collections_demo_boletos(company, today, partners, bank_journal)
        # Today: the contacts the ruler planned, sent by the dispatch cron within contact hours.
        self.env["collection.ruler"]._plan_company(company, today)
        self._collections_create_demo_portal_user(partners[DEMO_PORTAL_CUSTOMER])
        return company

    @api.model
    def _collections_replay_month(self, company, today, partners, story, provider, journal):
        """The last 30 days as the ruler lived them: each morning its events, then planning, then the
        day's contacts marked sent at the moment the dispatch would have sent them.

        Nothing goes out for the past (no e-mail, no PSP call): the contacts are the audit trail,
        and the agreements' and promises' messages stay in the chatter. Today is left to the crons.
        """
        Ruler = self.env["collection.ruler"]
        Communication = self.env["collection.communication"]
        agreements = {}
        for offset in range(-30, 0):
            day = today + datetime.timedelta(days=offset)
            for _day, event in (e for e in DEMO_STORY_EVENTS if e[0] == offset):
                self._collections_demo_event(event, day, today, partners, story, provider, journal, agreements)
            Ruler._plan_company(company, day)
            self.env.flush_all()
            for comm in Communication.search(
                [("company_id", "=", company.id), ("plan_date", "=", day), ("state", "=", "queued")]
            ):
                ruler = comm.ruler_id or comm.stage_id.ruler_id
                local = next_contact_moment(
                    datetime.datetime.combine(day, datetime.time(8, 30)), ruler._get_contact_window()
                )
                if local.date() >= today:
                    continue  # a weekend or holiday before today: it goes out with today's contacts
                moment = company._collection_to_utc(local)
                values = {"state": "sent", "scheduled_at": moment, "sent_at": moment, "attempt_count": 1}
                self.env["collection.ruler.stage.variant"]._pick(comm)  # the text the dispatch would have chosen
                if comm.channel == "phone":
                    # Calls of the last week are still on the collectors' list; older ones were made.
                    if (today - day).days <= 7:
                        comm.sudo()._send_phone(comm.move_ids._collection_filter_open())  # as the cron does
                elif comm.channel == "letter":
                    values["letter_printed"] = (today - day).days > 7
                comm.write(values)
        # What the past would have e-mailed (an agreement's terms) is history, not today's news.
        self.env["mail.mail"].search([("state", "=", "outgoing")]).write({"state": "cancel"})

    @api.model
    def _collections_demo_experiment(self, company):
        """The friendly charge (D+1) tests two e-mail subjects: the standard one and a short one with Pix."""
        ruler = self.env["collection.ruler"].search([("company_id", "=", company.id), ("usage", "=", "invoice")])
        stage = ruler.stage_ids.filtered(lambda s: s.phase == "friendly")[:1]
        if not stage.mail_template_id:
            return
        short = stage.mail_template_id.copy(
            {
                "name": "Cobrança: lembrete curto com Pix (B)",
                "subject": "{{ object.partner_id.name.split()[0] }}, pague em 1 minuto com Pix",
            }
        )
        self.env["collection.ruler.stage.variant"].create(
            [
                {"name": "A: assunto padrão", "stage_id": stage.id, "channel": "email",
                 "mail_template_id": stage.mail_template_id.id, "sequence": 1},
                {"name": "B: curto, com Pix", "stage_id": stage.id, "channel": "email",
                 "mail_template_id": short.id, "sequence": 2},
            ]
        )  # fmt: skip

    @api.model
    def _collections_demo_event(self, event, day, today, partners, story, provider, journal, agreements):
        kind, _sep, rest = event.partition(":")
        Agreement = self.env["collection.agreement"]
        if kind == "pay":
            self._collections_demo_pay(story[rest], day, journal)
        elif kind == "promise":
            key, promise_offset = rest.split(":")
            story[key]._collection_promise(today + datetime.timedelta(days=int(promise_offset)))
        elif kind in ("agreement_active", "agreement_broken"):
            partner = partners[10] if kind == "agreement_active" else partners[3]
            oldest = partner.collection_open_move_ids.sorted("invoice_date_due")[:1]
            count, first_due = (
                (3, day + datetime.timedelta(days=5))
                if kind == "agreement_active"
                else (
                    2,
                    day + datetime.timedelta(days=3),
                )
            )
            policy = partner.with_company(oldest.company_id)._collection_policy()
            agreement = Agreement.create(
                Agreement._prepare_proposal(partner, oldest, policy, count, 0.0, first_due, day)
            )
            agreement.with_context(collection_history=True).action_confirm()
            if agreement.state == "to_approve":
                agreement.with_context(collection_history=True).action_approve()
            agreements[kind] = agreement
        elif kind == "pay_installment":
            first = agreements["agreement_active"].installment_ids.sorted("sequence")[:1].move_id
            self._collections_demo_pay(first, day, journal)
        elif kind == "pix_charge":
            move = story[rest]
            self.env["collection.pix.charge"].sudo().create(
                {
                    "txid": api_pix.new_txid("demo"),
                    "provider_id": provider.id,
                    "company_id": move.company_id.id,
                    "move_id": move.id,
                    "kind": "cobv",
                    "state": "active",
                    "requested_at": datetime.datetime.combine(day, datetime.time(12)),
                    "amount": move.amount_residual,
                    "due_date": move.invoice_date_due,
                }
            )
        elif kind == "pix_paid":
            move = story[rest]
            charge = self.env["collection.pix.charge"].sudo().search([("move_id", "=", move.id)], limit=1)
            record = {
                "endToEndId": f"E18236120{day:%Y%m%d}1432s{charge.id:010d}"[:32],
                "txid": charge.txid,
                "valor": f"{charge.amount:.2f}",
                "horario": f"{day:%Y-%m-%d}T14:32:05-03:00",
                "pagador": {"cnpj": "64835030000109", "nome": move.commercial_partner_id.name},
            }
            Event = self.env["collection.pix.event"].sudo()
            Event._insert_notifications(self.env.cr, provider, [api_pix.parse_pix_record(record)], "webhook")
            Event.search([("txid", "=", charge.txid)])._reconcile()

    @api.model
    def _collections_demo_boletos(self, company, today, partners, journal):
        """A Banco do Brasil collection account with boletos for the invoices falling due soon: sent to
        the bank in a remittance, then its return file (registered, one settled with its fee)."""
        fee_account = self.env["account.account"].search(
            [("company_ids", "in", company.ids), ("account_type", "=", "expense"), ("name", "ilike", "banc")],
            limit=1,
        ) or self.env["account.account"].search(
            [("company_ids", "in", company.ids), ("account_type", "=", "expense")], limit=1
        )
        # set up by the administrator (a company bank account needs the right to trust it)
        account = (
            self.env["res.partner.bank"]
            .sudo()
            .create(
                {
                    "acc_number": "3073-0 / 12345-6",
                    "bank_id": self.env["res.bank"].search([("bic", "=", "BRASBRRJ")], limit=1).id or False,
                    "partner_id": company.partner_id.id,
                    "company_id": company.id,
                    **SANDBOX_BB_ACCOUNT,
                    "collection_journal_id": journal.id,
                    "collection_fee_account_id": fee_account.id,
                    "collection_instructions": "Não receber após 60 dias do vencimento.",
                }
            )
        )
        soon = self.env["account.move"].search(
            [
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("payment_state", "=", "not_paid"),
                ("collection_agreement_id", "=", False),
                ("invoice_date_due", ">=", today),
            ],
            order="invoice_date_due, id",
        )
        boletos = self.env["collection.boleto"]._ensure_for_moves(soon)
        self.env["collection.bank.remittance"]._create_for_account(account)
        events = [{"kind": "accepted", "nosso_numero": b.nosso_numero, "occurrence_date": today} for b in boletos]
        first = boletos.sorted("id")[:1]
        events += [
            {
                "kind": "settled",
                "nosso_numero": first.nosso_numero,
                "face_value": first.amount,
                "amount_paid": first.amount,
                "fee": 2.10,
                "occurrence_date": today,
            }
        ]
        data = return_240("001", company.vat, events, generated=today)
        self.env["collection.bank.return"]._import_file(account, data, f"RET{today:%d%m}01.ret")
        return account

    @api.model
    def _collections_demo_pay(self, moves, day, journal):
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=moves.ids).create(
            {"payment_date": day, "journal_id": journal.id}
        )._create_payments()

    @api.model
    def _collections_create_demo_finance_user(self, company):
        """The demo company's finance lead, in Portuguese: login and password in the README."""
        return (
            self.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Fernanda Financeiro",
                    "login": DEMO_FINANCE_LOGIN,
                    "password": DEMO_FINANCE_LOGIN,
                    "email": "fernanda@cobranca-demo.example.com",
                    "lang": "pt_BR",
                    "tz": "America/Sao_Paulo",
                    "company_id": company.id,
                    "company_ids": [Command.set(company.ids)],
                    "groups_id": [
                        Command.link(self.env.ref(xmlid).id)
                        for xmlid in (
                            "base.group_user",
                            "account.group_account_manager",
                            "collections_ruler.collections_ruler_group_manager",
                            "base.group_system",
                        )
                    ],
                }
            )
        )

    @api.model
    def _collections_create_demo_portal_user(self, partner):
        """The customer of the portal demo: login and password in the README."""
        user = (
            self.env["res.users"]
            .sudo()
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": partner.name,
                    "login": DEMO_PORTAL_LOGIN,
                    "password": DEMO_PORTAL_LOGIN,
                    "partner_id": partner.id,
                    "lang": partner.lang,
                    "company_id": partner.company_id.id or self.env.company.id,
                    "company_ids": [Command.set((partner.company_id or self.env.company).ids)],
                    "groups_id": [Command.set(self.env.ref("base.group_portal").ids)],
                }
            )
        )
        return user

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
        with file_open("collections_pix/demo/cobranca_demo_logo.png", "rb") as logo:
            vals["logo"] = base64.b64encode(logo.read())
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
                "invoice_user_id": self.env.context.get("collections_demo_salesperson") or self.env.uid,
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
