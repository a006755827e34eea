"""CNAB 240 (FEBRABAN v10.x) cobrança records, and the per-bank differences as overrides.

Positions (1-based, inclusive) are FEBRABAN's "Layout Padrão CNAB 240" v10.x, cross-checked
against two independent implementations:

- kivanio/brcobranca (MIT) ``lib/brcobranca/remessa/cnab240/base.rb`` (header, lote header,
  segments P/Q/R, trailers, written field by field with their sizes) and
  ``lib/brcobranca/retorno/retorno_cnab240.rb`` (segments T/U, 0-based ranges);
- kmee/cnab240 (LGPL) ``cnab240/bancos/bradesco/specs/segmento_t.json`` / ``segmento_u.json``
  (the FEBRABAN T/U as Bradesco publishes them), ``cef/specs`` (Caixa SIGCB) and ``itau/specs``.

and against the sample returns of brcobranca's specs (``CNAB240.RET`` Banco do Brasil,
``CNAB240SICOOB.RET``): every amount the specs assert is read back at these positions.
"""

from .fields import Field, RecordSpec

LENGTH = 240


def _control(record_type, segment=None):
    """Bank (1-3), lote (4-7), record type (8) and, for details, sequence (9-13) + segment (14)."""
    fields = [Field("bank_code", 1, 3, "num"), Field("batch", 4, 7, "num")]
    match = [(8, 8, record_type)]
    if segment:
        fields.append(Field("sequence", 9, 13, "num"))
        match.append((14, 14, segment))
    return tuple(fields), tuple(match)


def _record(name, record_type, fields, segment=None):
    control, match = _control(record_type, segment)
    return RecordSpec(name, LENGTH, control + tuple(fields), match)


FILE_HEADER = _record(
    "file_header",
    "0",
    (
        Field("company_document_type", 18, 18, "num"),  # 1 CPF, 2 CNPJ
        Field("company_document", 19, 32, "num"),
        Field("convenio", 33, 52, "alpha"),
        Field("agency", 53, 57, "num"),
        Field("agency_dv", 58, 58, "alpha"),
        Field("account", 59, 70, "num"),
        Field("account_dv", 71, 71, "alpha"),
        Field("agency_account_dv", 72, 72, "alpha"),
        Field("company_name", 73, 102, "alpha", truncate=True),
        Field("bank_name", 103, 132, "alpha", truncate=True),
        Field("direction", 143, 143, "num"),  # 1 remessa, 2 retorno
        Field("generated_date", 144, 151, "date8"),
        Field("generated_time", 152, 157, "num"),
        Field("file_sequence", 158, 163, "num"),
        Field("layout_version", 164, 166, "num"),
        Field("density", 167, 171, "num"),
        Field("bank_reserved", 172, 191, "alpha"),
        Field("company_reserved", 192, 211, "alpha"),
    ),
)

BATCH_HEADER = _record(
    "batch_header",
    "1",
    (
        Field("operation", 9, 9, "alpha"),  # R remessa, T retorno
        Field("service", 10, 11, "num", "01"),  # 01 cobrança
        Field("batch_layout_version", 14, 16, "num"),
        Field("company_document_type", 18, 18, "num"),
        Field("company_document", 19, 33, "num"),
        Field("convenio", 34, 53, "alpha"),
        Field("agency", 54, 58, "num"),
        Field("agency_dv", 59, 59, "alpha"),
        Field("account", 60, 71, "num"),
        Field("account_dv", 72, 72, "alpha"),
        Field("agency_account_dv", 73, 73, "alpha"),
        Field("company_name", 74, 103, "alpha", truncate=True),
        Field("message_1", 104, 143, "alpha", truncate=True),
        Field("message_2", 144, 183, "alpha", truncate=True),
        Field("file_sequence", 184, 191, "num"),
        Field("generated_date", 192, 199, "date8"),
        Field("credit_date", 200, 207, "date8"),
    ),
)

# Segment P: the boleto (remessa).
SEGMENT_P = _record(
    "segment_p",
    "3",
    (
        Field("movement", 16, 17, "num"),
        Field("agency", 18, 22, "num"),
        Field("agency_dv", 23, 23, "alpha"),
        Field("account", 24, 35, "num"),
        Field("account_dv", 36, 36, "alpha"),
        Field("agency_account_dv", 37, 37, "alpha"),
        Field("nosso_numero", 38, 57, "alpha"),  # bank-specific content, formatted by banks/<bank>
        Field("carteira", 58, 58, "num"),
        Field("registration", 59, 59, "num", "1"),  # forma de cadastramento: 1 com registro
        Field("document_type", 60, 60, "alpha"),
        Field("issuer", 61, 61, "num", "2"),  # emissão do boleto: 2 beneficiário
        Field("distribution", 62, 62, "alpha", "2"),  # distribuição: 2 beneficiário
        Field("your_number", 63, 77, "alpha"),  # número do documento (seu número)
        Field("due_date", 78, 85, "date8"),
        Field("amount", 86, 100, "money"),
        Field("collecting_agency", 101, 105, "num"),
        Field("collecting_agency_dv", 106, 106, "alpha"),
        Field("especie", 107, 108, "num", "02"),  # 02 DM
        Field("aceite", 109, 109, "alpha", "N"),
        Field("issue_date", 110, 117, "date8"),
        Field("interest_code", 118, 118, "num", "3"),  # 1 valor/dia, 2 taxa mensal, 3 isento
        Field("interest_date", 119, 126, "date8"),
        Field("interest_value", 127, 141, "money"),
        Field("discount_code", 142, 142, "num", "0"),  # 0 sem desconto, 1 valor fixo até a data
        Field("discount_date", 143, 150, "date8"),
        Field("discount_value", 151, 165, "money"),
        Field("iof", 166, 180, "money"),
        Field("rebate", 181, 195, "money"),  # abatimento
        Field("company_use", 196, 220, "alpha"),  # identificação do título na empresa
        Field("protest_code", 221, 221, "num", "3"),  # 1 dias corridos, 3 não protestar
        Field("protest_days", 222, 223, "num"),
        Field("writeoff_code", 224, 224, "num", "1"),  # baixa/devolução: 1 baixar, 2 não baixar
        Field("writeoff_days", 225, 227, "num"),
        Field("currency", 228, 229, "num", "09"),  # 09 real
        Field("contract", 230, 239, "num"),
    ),
    segment="P",
)

# Segment Q: the payer (remessa).
SEGMENT_Q = _record(
    "segment_q",
    "3",
    (
        Field("movement", 16, 17, "num"),
        Field("payer_document_type", 18, 18, "num"),  # 1 CPF, 2 CNPJ
        Field("payer_document", 19, 33, "num"),
        Field("payer_name", 34, 73, "alpha", truncate=True),
        Field("payer_address", 74, 113, "alpha", truncate=True),
        Field("payer_district", 114, 128, "alpha", truncate=True),
        Field("payer_zip", 129, 136, "num"),  # CEP 5 + sufixo 3
        Field("payer_city", 137, 151, "alpha", truncate=True),
        Field("payer_state", 152, 153, "alpha"),
        Field("guarantor_document_type", 154, 154, "num"),
        Field("guarantor_document", 155, 169, "num"),
        Field("guarantor_name", 170, 209, "alpha", truncate=True),
        Field("correspondent_bank", 210, 212, "num"),
        Field("correspondent_nosso_numero", 213, 232, "alpha"),
    ),
    segment="Q",
)

# Segment R: discounts 2 and 3, fine (remessa).
SEGMENT_R = _record(
    "segment_r",
    "3",
    (
        Field("movement", 16, 17, "num"),
        Field("discount2_code", 18, 18, "num", "0"),
        Field("discount2_date", 19, 26, "date8"),
        Field("discount2_value", 27, 41, "money"),
        Field("discount3_code", 42, 42, "num", "0"),
        Field("discount3_date", 43, 50, "date8"),
        Field("discount3_value", 51, 65, "money"),
        Field("fine_code", 66, 66, "num", "0"),  # 0 sem multa, 1 valor fixo, 2 percentual
        Field("fine_date", 67, 74, "date8"),
        Field("fine_value", 75, 89, "money"),
        Field("payer_info", 90, 99, "alpha", truncate=True),
        Field("message_3", 100, 139, "alpha", truncate=True),
        Field("message_4", 140, 179, "alpha", truncate=True),
        Field("payer_occurrence", 200, 207, "num"),
        Field("debit_bank", 208, 210, "num"),
        Field("debit_agency", 211, 215, "num"),
        Field("debit_agency_dv", 216, 216, "alpha"),
        Field("debit_account", 217, 228, "num"),
        Field("debit_account_dv", 229, 229, "alpha"),
        Field("debit_agency_account_dv", 230, 230, "alpha"),
        Field("debit_notice", 231, 231, "num", "0"),
    ),
    segment="R",
)

# Segment T: the boleto as the bank sees it (retorno).
SEGMENT_T = _record(
    "segment_t",
    "3",
    (
        Field("movement", 16, 17, "num"),
        Field("agency", 18, 22, "num"),
        Field("agency_dv", 23, 23, "alpha"),
        Field("account", 24, 35, "num"),
        Field("account_dv", 36, 36, "alpha"),
        Field("agency_account_dv", 37, 37, "alpha"),
        Field("nosso_numero", 38, 57, "alpha"),
        Field("carteira", 58, 58, "alpha"),
        Field("document_number", 59, 73, "alpha"),
        Field("due_date", 74, 81, "date8"),
        Field("face_value", 82, 96, "money"),
        Field("collecting_bank", 97, 99, "num"),
        Field("collecting_agency", 100, 104, "num"),
        Field("collecting_agency_dv", 105, 105, "alpha"),
        Field("your_number", 106, 130, "alpha"),  # identificação do título na empresa
        Field("currency", 131, 132, "num"),
        Field("payer_document_type", 133, 133, "num"),
        Field("payer_document", 134, 148, "num"),
        Field("payer_name", 149, 188, "alpha"),
        Field("contract", 189, 198, "alpha"),
        Field("fee", 199, 213, "money"),
        Field("reasons", 214, 223, "alpha"),  # 5 codes of 2
    ),
    segment="T",
)

# Segment U: the money (retorno).
SEGMENT_U = _record(
    "segment_u",
    "3",
    (
        Field("movement", 16, 17, "num"),
        Field("interest_fine", 18, 32, "money"),  # juros/multa/encargos together
        Field("discount", 33, 47, "money"),
        Field("rebate", 48, 62, "money"),  # abatimento
        Field("iof", 63, 77, "money"),
        Field("amount_paid", 78, 92, "money"),  # valor pago pelo pagador (gross)
        Field("amount_credited", 93, 107, "money"),  # valor líquido a ser creditado
        Field("other_expenses", 108, 122, "money"),
        Field("other_credits", 123, 137, "money"),
        Field("occurrence_date", 138, 145, "date8"),
        Field("credit_date", 146, 153, "date8"),
        Field("payer_occurrence", 154, 157, "alpha"),
        Field("payer_occurrence_date", 158, 165, "date8"),
        Field("payer_occurrence_value", 166, 180, "money"),
        Field("payer_occurrence_text", 181, 210, "alpha"),
        Field("correspondent_bank", 211, 213, "num"),
        Field("correspondent_nosso_numero", 214, 233, "alpha"),
    ),
    segment="U",
)

BATCH_TRAILER = _record(
    "batch_trailer",
    "5",
    (
        Field("record_count", 18, 23, "num"),  # header + details + trailer of the lote
        Field("simple_count", 24, 29, "num"),
        Field("simple_total", 30, 46, "money"),
        Field("bound_count", 47, 52, "num"),
        Field("bound_total", 53, 69, "money"),
        Field("pledged_count", 70, 75, "num"),
        Field("pledged_total", 76, 92, "money"),
        Field("discounted_count", 93, 98, "num"),
        Field("discounted_total", 99, 115, "money"),
        Field("notice_number", 116, 123, "alpha"),
    ),
)

FILE_TRAILER = _record(
    "file_trailer",
    "9",
    (
        Field("batch_count", 18, 23, "num"),
        Field("record_count", 24, 29, "num"),  # every record of the file, headers and trailers included
        Field("account_count", 30, 35, "num"),
    ),
)

RECORDS = {
    spec.name: spec
    for spec in (
        FILE_HEADER,
        BATCH_HEADER,
        SEGMENT_P,
        SEGMENT_Q,
        SEGMENT_R,
        SEGMENT_T,
        SEGMENT_U,
        BATCH_TRAILER,
        FILE_TRAILER,
    )
}

# Per-bank differences from FEBRABAN. Only what a published layout or an independent
# implementation shows to differ is listed; the rest of each record is FEBRABAN's.
BANK_OVERRIDES = {
    # Banco do Brasil: FEBRABAN positions (brcobranca remessa/cnab240/banco_brasil.rb, its
    # CNAB240.RET spec); convênio/carteira/variação go inside the 20-character fields.
    "001": {},
    # Bradesco: FEBRABAN positions (kmee/cnab240 bancos/bradesco/specs).
    "237": {},
    # Sicoob: FEBRABAN positions (brcobranca remessa/cnab240/sicoob.rb, retorno/cnab240/sicoob.rb:
    # nosso número with DV, parcela and modalidade inside 38-57).
    "756": {},
    # Sicredi: FEBRABAN positions (brcobranca remessa/cnab240/sicredi.rb, retorno/cnab240/sicredi.rb).
    "748": {},
    # Ailos (ex-Cecred): FEBRABAN positions (brcobranca remessa/cnab240/ailos.rb, retorno/cnab240/ailos.rb).
    "085": {},
    # Caixa SIGCB: the account block is the 6-digit código do beneficiário and the nosso número is
    # 17 digits (modalidade 2 + 15): P 41-57 (brcobranca remessa/cnab240/caixa.rb complemento_p),
    # T 40-56 (brcobranca retorno/cnab240/caixa.rb 39..55, Caixa's LEIAUTE_CNAB_240_SIGCB manual);
    # U keeps FEBRABAN's amounts (kmee cef/specs/segmento_u.json). Header: agency 53-58,
    # beneficiário 59-64 (brcobranca caixa.rb info_conta).
    "104": {
        "file_header": {
            "fields": (
                Field("beneficiary_code", 59, 64, "num"),
                Field("caixa_reserved", 65, 72, "num"),
            ),
            "remove": ("account", "account_dv", "agency_account_dv"),
        },
        "segment_p": {
            "fields": (
                Field("beneficiary_code", 24, 29, "num"),
                Field("caixa_reserved", 30, 40, "num"),
                Field("nosso_numero", 41, 57, "alpha"),
            ),
            "remove": ("account", "account_dv", "agency_account_dv"),
        },
        "segment_t": {
            "fields": (
                Field("beneficiary_code", 24, 29, "num"),
                Field("nosso_numero", 40, 56, "alpha"),
                Field("document_number", 59, 69, "alpha"),
            ),
            "remove": ("account", "account_dv", "agency_account_dv"),
        },
    },
    # Itaú CNAB 240: T 214-221 holds 4 reason codes and 222-223 the liquidation channel;
    # U 108-137 are zeros (no other expenses/credits) - kmee/cnab240 bancos/itau/specs.
    "341": {
        # P: 58-62 zeros (no carteira/cadastramento codes), document number 63-72, baixa days
        # 225-226, 227-239 zeros (kmee/cnab240 bancos/itau/specs/segmento_p.json).
        "segment_p": {
            "fields": (
                Field("itau_zeros_58", 58, 62, "num"),
                Field("your_number", 63, 72, "alpha"),
                Field("writeoff_days", 225, 226, "num"),
                Field("itau_zeros_227", 227, 239, "num"),
            ),
            "remove": ("carteira", "registration", "document_type", "issuer", "distribution", "currency", "contract"),
        },
        "segment_t": {
            "fields": (
                Field("reasons", 214, 221, "alpha"),
                Field("liquidation_channel", 222, 223, "alpha"),
            ),
        },
        "segment_u": {"remove": ("other_expenses", "other_credits")},
    },
    # Santander CNAB 240 (return): agency 4 digits and the whole T is shifted - nosso número
    # 41-53, due date 70-77, face value 78-92, fee 194-208, reasons 209-218
    # (brcobranca retorno/cnab240/santander.rb). Santander's remessa 240 differs as much and is
    # not implemented here.
    "033": {
        "segment_t": {
            "fields": (
                Field("agency", 18, 21, "num"),
                Field("agency_dv", 22, 22, "alpha"),
                Field("account", 23, 31, "num"),
                Field("account_dv", 32, 32, "alpha"),
                Field("nosso_numero", 41, 53, "alpha"),
                Field("carteira", 54, 54, "alpha"),
                Field("document_number", 55, 69, "alpha"),
                Field("due_date", 70, 77, "date8"),
                Field("face_value", 78, 92, "money"),
                Field("collecting_bank", 93, 95, "num"),
                Field("collecting_agency", 96, 99, "num"),
                Field("collecting_agency_dv", 100, 100, "alpha"),
                Field("your_number", 101, 125, "alpha"),
                Field("currency", 126, 127, "num"),
                Field("payer_document_type", 128, 128, "num"),
                Field("payer_document", 129, 143, "num"),
                Field("payer_name", 144, 183, "alpha"),
                Field("contract", 184, 193, "alpha"),
                Field("fee", 194, 208, "money"),
                Field("reasons", 209, 218, "alpha"),
            ),
            "remove": ("agency_account_dv",),
        },
    },
}

BANKS = tuple(sorted(BANK_OVERRIDES))
# Banks whose remessa 240 is FEBRABAN's P/Q/R with the overrides above. Santander's is not.
REMITTANCE_BANKS = tuple(code for code in BANKS if code != "033")

BANK_NAMES = {
    "001": "BANCO DO BRASIL S.A.",
    "033": "BANCO SANTANDER",
    "085": "AILOS",
    "104": "CAIXA ECONOMICA FEDERAL",
    "237": "BRADESCO",
    "341": "BANCO ITAU SA",
    "748": "SICREDI",
    "756": "SICOOB",
}


def records_for(bank_code):
    """The 240 records for ``bank_code`` (FEBRABAN plus that bank's overrides)."""
    overrides = BANK_OVERRIDES[bank_code]
    result = dict(RECORDS)
    for name, change in overrides.items():
        result[name] = RECORDS[name].override(*change.get("fields", ()), remove=change.get("remove", ()))
    return result


# FEBRABAN v10.x, "Código de Movimento Remessa" (C004), the ones a collection system sends.
REMITTANCE_MOVEMENTS = {
    "01": "Entrada de títulos",
    "02": "Pedido de baixa",
    "04": "Concessão de abatimento",
    "05": "Cancelamento de abatimento",
    "06": "Alteração de vencimento",
    "07": "Concessão de desconto",
    "08": "Cancelamento de desconto",
    "09": "Protestar",
    "10": "Sustar protesto e baixar título",
    "11": "Sustar protesto e manter em carteira",
    "31": "Alteração de outros dados",
}

# FEBRABAN v10.x, "Código de Movimento Retorno" (C044) -> meaning.
RETURN_MEANINGS = {
    "02": "accepted",  # entrada confirmada
    "03": "rejected",  # entrada rejeitada
    "06": "settled",  # liquidação
    "09": "written_off",  # baixa
    "17": "settled",  # liquidação após baixa ou liquidação de título não registrado
    "26": "instruction_rejected",
    "28": "fee",  # débito de tarifas/custas
    "30": "instruction_rejected",  # alteração de dados rejeitada
}
