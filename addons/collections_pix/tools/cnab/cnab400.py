"""CNAB 400 cobrança records: Itaú (341), Bradesco (237), Banco do Brasil CBR643 return (001).

Sources (positions 1-based, inclusive):

- Itaú: "Cobrança CNAB 400 — layout de arquivos" (download.itau.com.br/bankline/
  layout_cobranca_400bytes_cnab_itau_mensagem.pdf) as transcribed by kivanio/brcobranca (MIT)
  ``lib/brcobranca/retorno/cnab400/itau.rb`` and ``remessa/cnab400/itau.rb`` and by kmee/cnab240
  (LGPL) ``bancos/itau_cobranca_retorno_400`` / ``itau_cobranca_400`` specs - both agree.
- Bradesco: "Layout de Arquivo Cobrança Bradesco 4008-524-0121" as transcribed by brcobranca
  ``retorno/cnab400/bradesco.rb``, ``remessa/cnab400/bradesco.rb`` and kmee/cnab240
  ``bancos/bradesco_cobranca_retorno_400`` / ``bradesco_cobranca_400`` - both agree.
- Banco do Brasil CBR643 (convênio de 7 posições): brcobranca ``retorno/retorno_cbr643.rb`` and
  its spec on ``CBR64310.RET``; detail records start with ``7``.

Checked by hand against brcobranca's sample returns ``CNAB400ITAU.RET``, ``CNAB400BRADESCO.RET``
and ``CBR64310.RET``.
"""

from .fields import Field, RecordSpec

LENGTH = 400
SEQUENCE = Field("sequence", 395, 400, "num")  # número sequencial do registro no arquivo


def _record(name, record_type, fields):
    return RecordSpec(name, LENGTH, (*fields, SEQUENCE), ((1, 1, record_type),))


# ---------------------------------------------------------------------------- returns
RETURN_HEADER = RecordSpec(
    "return_header",
    LENGTH,
    (
        Field("company_name", 47, 76, "alpha"),
        Field("bank_code", 77, 79, "num"),
        Field("bank_name", 80, 94, "alpha"),
        Field("generated_date", 95, 100, "date6"),
        SEQUENCE,
    ),
    ((1, 9, "02RETORNO"),),
)

ITAU_RETURN_HEADER = RETURN_HEADER.override(
    Field("agency", 27, 30, "num"),
    Field("account", 33, 37, "num"),
    Field("account_dv", 38, 38, "alpha"),
    Field("file_sequence", 109, 113, "num"),  # número sequencial do arquivo retorno
    Field("credit_date", 114, 119, "date6"),
    name="itau_return_header",
)

BRADESCO_RETURN_HEADER = RETURN_HEADER.override(
    Field("company_code", 27, 46, "num"),
    Field("file_sequence", 109, 113, "num"),  # número do aviso bancário (Bradesco has no NSA here)
    Field("credit_date", 380, 385, "date6"),
    name="bradesco_return_header",
)

BB_CBR643_RETURN_HEADER = RETURN_HEADER.override(
    Field("agency", 27, 30, "num"),
    Field("agency_dv", 31, 31, "alpha"),
    Field("account", 32, 39, "num"),
    Field("account_dv", 40, 40, "alpha"),
    Field("file_sequence", 101, 107, "num"),  # seqüencial do retorno
    Field("convenio", 150, 156, "num"),
    name="bb_cbr643_return_header",
)

ITAU_RETURN_DETAIL = _record(
    "itau_return_detail",
    "1",
    (
        Field("company_document_type", 2, 3, "num"),
        Field("company_document", 4, 17, "num"),
        Field("agency", 18, 21, "num"),
        Field("account", 24, 28, "num"),
        Field("account_dv", 29, 29, "alpha"),
        Field("your_number", 38, 62, "alpha"),  # uso da empresa
        Field("nosso_numero", 63, 70, "alpha"),
        Field("carteira", 83, 85, "num"),
        Field("nosso_numero_2", 86, 93, "alpha"),  # repeated, then its DAC
        Field("nosso_numero_dac", 94, 94, "alpha"),
        Field("carteira_code", 108, 108, "alpha"),
        Field("occurrence", 109, 110, "num"),
        Field("occurrence_date", 111, 116, "date6"),
        Field("document_number", 117, 126, "alpha"),
        Field("due_date", 147, 152, "date6"),
        Field("face_value", 153, 165, "money"),
        Field("collecting_bank", 166, 168, "num"),
        Field("collecting_agency", 169, 173, "num"),
        Field("especie", 174, 175, "alpha"),
        Field("fee", 176, 188, "money"),  # tarifa de cobrança
        Field("iof", 215, 227, "money"),
        Field("rebate", 228, 240, "money"),  # abatimento
        Field("discount", 241, 253, "money"),
        Field("amount_credited", 254, 266, "money"),  # valor principal: lançado em conta, net of the fee
        Field("interest_fine", 267, 279, "money"),  # juros de mora e multa
        Field("other_credits", 280, 292, "money"),
        Field("dda", 293, 293, "alpha"),
        Field("credit_date", 296, 301, "date6"),
        Field("cancelled_instruction", 302, 305, "alpha"),
        Field("payer_name", 325, 354, "alpha"),
        Field("reasons", 378, 385, "alpha"),  # erros/mensagem: 4 codes of 2
        Field("liquidation_code", 393, 394, "alpha"),
    ),
)

BRADESCO_RETURN_DETAIL = _record(
    "bradesco_return_detail",
    "1",
    (
        Field("company_document_type", 2, 3, "num"),
        Field("company_document", 4, 17, "num"),
        Field("carteira", 22, 24, "num"),
        Field("agency", 25, 29, "num"),
        Field("account", 30, 36, "num"),
        Field("account_dv", 37, 37, "alpha"),
        Field("your_number", 38, 62, "alpha"),  # número de controle do participante
        Field("nosso_numero", 71, 82, "alpha"),  # 11 digits + DV (0-9 or P)
        Field("carteira_code", 108, 108, "alpha"),
        Field("occurrence", 109, 110, "num"),
        Field("occurrence_date", 111, 116, "date6"),
        Field("document_number", 117, 126, "alpha"),
        Field("due_date", 147, 152, "date6"),
        Field("face_value", 153, 165, "money"),
        Field("collecting_bank", 166, 168, "num"),
        Field("collecting_agency", 169, 173, "num"),
        Field("especie", 174, 175, "alpha"),
        Field("fee", 176, 188, "money"),  # despesas de cobrança
        Field("other_expenses", 189, 201, "money"),  # outras despesas / custas de protesto
        Field("late_interest", 202, 214, "money"),  # juros operação em atraso
        Field("iof", 215, 227, "money"),
        Field("rebate", 228, 240, "money"),  # abatimento concedido
        Field("discount", 241, 253, "money"),  # desconto concedido
        Field("amount_paid", 254, 266, "money"),  # valor pago (gross)
        Field("interest_fine", 267, 279, "money"),  # juros de mora
        Field("other_credits", 280, 292, "money"),
        Field("occurrence_reason_19", 295, 295, "alpha"),
        Field("credit_date", 296, 301, "date6"),
        Field("payment_origin", 302, 304, "alpha"),
        Field("reasons", 319, 328, "alpha"),  # motivos das rejeições: 5 codes of 2
        Field("notary", 369, 370, "alpha"),
        Field("protocol", 371, 380, "alpha"),
    ),
)

BB_CBR643_RETURN_DETAIL = _record(
    "bb_cbr643_return_detail",
    "7",
    (
        Field("company_document_type", 2, 3, "num"),
        Field("company_document", 4, 17, "num"),
        Field("agency", 18, 21, "num"),
        Field("agency_dv", 22, 22, "alpha"),
        Field("account", 23, 30, "num"),
        Field("account_dv", 31, 31, "alpha"),
        Field("convenio", 32, 38, "num"),
        Field("your_number", 39, 63, "alpha"),  # número de controle do participante
        Field("nosso_numero", 64, 80, "alpha"),  # 17 digits: convênio 7 + sequence 10
        Field("collection_type", 81, 81, "alpha"),
        Field("settlement_kind", 87, 88, "alpha"),  # natureza do recebimento
        Field("carteira_variation", 92, 94, "alpha"),
        Field("carteira", 107, 108, "num"),
        Field("occurrence", 109, 110, "num"),  # comando
        Field("occurrence_date", 111, 116, "date6"),  # data de liquidação
        Field("document_number", 117, 126, "alpha"),
        Field("due_date", 147, 152, "date6"),
        Field("face_value", 153, 165, "money"),
        Field("collecting_bank", 166, 168, "num"),
        Field("collecting_agency", 169, 173, "alpha"),
        Field("especie", 174, 175, "alpha"),
        Field("credit_date", 176, 181, "date6"),
        Field("fee", 182, 188, "money"),  # valor da tarifa: 7 positions
        Field("other_expenses", 189, 201, "money"),
        Field("discount_interest", 202, 214, "money"),  # juros do desconto
        Field("iof", 215, 227, "money"),  # IOF do desconto
        Field("rebate", 228, 240, "money"),
        Field("discount", 241, 253, "money"),
        Field("amount_paid", 254, 266, "money"),  # valor recebido (gross)
        Field("interest_fine", 267, 279, "money"),  # juros de mora
        Field("other_credits", 280, 292, "money"),
        Field("unused_rebate", 293, 305, "money"),
        Field("amount_credited", 306, 318, "money"),  # valor lançamento (net of the fee)
        Field("entry_sign", 319, 319, "alpha"),  # indicativo débito/crédito
        Field("value_indicator", 320, 320, "alpha"),
        Field("adjustment", 321, 332, "money"),
    ),
)

RETURN_TRAILER = _record("return_trailer", "9", (Field("bank_code", 5, 7, "num"),))

# ---------------------------------------------------------------------------- remittances
ITAU_REMITTANCE_HEADER = RecordSpec(
    "itau_remittance_header",
    LENGTH,
    (
        Field("agency", 27, 30, "num"),
        Field("zeros", 31, 32, "num"),
        Field("account", 33, 37, "num"),
        Field("account_dv", 38, 38, "num"),
        Field("company_name", 47, 76, "alpha", truncate=True),
        Field("bank_code", 77, 79, "const", "341"),
        Field("bank_name", 80, 94, "alpha", "BANCO ITAU SA"),
        Field("generated_date", 95, 100, "date6"),
        SEQUENCE,
    ),
    ((1, 26, "01REMESSA01COBRANCA       "),),
)

ITAU_REMITTANCE_DETAIL = _record(
    "itau_remittance_detail",
    "1",
    (
        Field("company_document_type", 2, 3, "num"),
        Field("company_document", 4, 17, "num"),
        Field("agency", 18, 21, "num"),
        Field("zeros", 22, 23, "num"),
        Field("account", 24, 28, "num"),
        Field("account_dv", 29, 29, "num"),
        Field("instruction_code", 34, 37, "num"),  # código da instrução/alegação a ser cancelada
        Field("company_use", 38, 62, "alpha"),  # uso da empresa
        Field("nosso_numero", 63, 70, "num"),
        Field("currency_quantity", 71, 83, "num"),
        Field("carteira", 84, 86, "num"),
        Field("bank_use", 87, 107, "alpha"),
        Field("carteira_code", 108, 108, "alpha", "I"),
        Field("movement", 109, 110, "num"),
        Field("your_number", 111, 120, "alpha"),  # número do documento
        Field("due_date", 121, 126, "date6"),
        Field("amount", 127, 139, "money"),
        Field("bank_code", 140, 142, "const", "341"),
        Field("collecting_agency", 143, 147, "num"),
        Field("especie", 148, 149, "alpha", "01"),  # 01 duplicata mercantil
        Field("aceite", 150, 150, "alpha", "N"),
        Field("issue_date", 151, 156, "date6"),
        Field("instruction_1", 157, 158, "alpha", "00"),
        Field("instruction_2", 159, 160, "alpha", "00"),
        Field("interest_value", 161, 173, "money"),  # juros de 1 dia
        Field("discount_date", 174, 179, "date6"),
        Field("discount_value", 180, 192, "money"),
        Field("iof", 193, 205, "money"),
        Field("rebate", 206, 218, "money"),
        Field("payer_document_type", 219, 220, "num"),
        Field("payer_document", 221, 234, "num"),
        Field("payer_name", 235, 264, "alpha", truncate=True),
        Field("payer_address", 275, 314, "alpha", truncate=True),
        Field("payer_district", 315, 326, "alpha", truncate=True),
        Field("payer_zip", 327, 334, "num"),
        Field("payer_city", 335, 349, "alpha", truncate=True),
        Field("payer_state", 350, 351, "alpha"),
        Field("guarantor_name", 352, 381, "alpha", truncate=True),
        Field("interest_date", 386, 391, "date6"),
        Field("instruction_days", 392, 393, "num"),
    ),
)

# Itaú's optional detail type 2: fine (brcobranca remessa/cnab400/itau.rb monta_detalhe_multa).
ITAU_REMITTANCE_FINE = _record(
    "itau_remittance_fine",
    "2",
    (
        Field("fine_code", 2, 2, "num"),  # 0 sem multa, 1 valor, 2 percentual
        Field("fine_date", 3, 10, "date8"),
        Field("fine_value", 11, 23, "money"),
    ),
)

BRADESCO_REMITTANCE_HEADER = RecordSpec(
    "bradesco_remittance_header",
    LENGTH,
    (
        Field("company_code", 27, 46, "num"),
        Field("company_name", 47, 76, "alpha", truncate=True),
        Field("bank_code", 77, 79, "const", "237"),
        Field("bank_name", 80, 94, "alpha", "BRADESCO"),
        Field("generated_date", 95, 100, "date6"),
        Field("system", 109, 110, "const", "MX"),
        Field("file_sequence", 111, 117, "num"),
        SEQUENCE,
    ),
    ((1, 26, "01REMESSA01COBRANCA       "),),
)

BRADESCO_REMITTANCE_DETAIL = _record(
    "bradesco_remittance_detail",
    "1",
    (
        Field("debit_agency", 2, 6, "num"),
        Field("debit_agency_dv", 7, 7, "alpha"),
        Field("debit_account_ratio", 8, 12, "num"),
        Field("debit_account", 13, 19, "num"),
        Field("debit_account_dv", 20, 20, "alpha"),
        Field("company_id_zero", 21, 21, "num"),
        Field("carteira", 22, 24, "num"),
        Field("agency", 25, 29, "num"),
        Field("account", 30, 36, "num"),
        Field("account_dv", 37, 37, "alpha"),
        Field("company_use", 38, 62, "alpha"),  # número de controle do participante
        Field("debit_bank", 63, 65, "num"),
        Field("fine_code", 66, 66, "num"),  # 0 sem multa, 2 com multa
        Field("fine_percent", 67, 70, "money"),
        Field("nosso_numero", 71, 82, "alpha"),  # 11 digits + DV
        Field("daily_discount", 83, 92, "money"),
        Field("issuer", 93, 93, "num", "2"),  # 2 = cliente emite
        Field("debit_slip", 94, 94, "alpha", "N"),
        Field("bank_operation", 95, 104, "alpha"),
        Field("split", 105, 105, "alpha"),
        Field("debit_notice", 106, 106, "num", "2"),
        Field("movement", 109, 110, "num"),
        Field("your_number", 111, 120, "alpha"),
        Field("due_date", 121, 126, "date6"),
        Field("amount", 127, 139, "money"),
        Field("collecting_bank", 140, 142, "num"),
        Field("collecting_agency", 143, 147, "num"),
        Field("especie", 148, 149, "num", "01"),
        Field("aceite", 150, 150, "alpha", "N"),
        Field("issue_date", 151, 156, "date6"),
        Field("instruction_1", 157, 158, "num"),
        Field("instruction_2", 159, 160, "num"),
        Field("interest_value", 161, 173, "money"),
        Field("discount_date", 174, 179, "date6"),
        Field("discount_value", 180, 192, "money"),
        Field("iof", 193, 205, "money"),
        Field("rebate", 206, 218, "money"),
        Field("payer_document_type", 219, 220, "num"),
        Field("payer_document", 221, 234, "num"),
        Field("payer_name", 235, 274, "alpha", truncate=True),
        Field("payer_address", 275, 314, "alpha", truncate=True),
        Field("message_1", 315, 326, "alpha", truncate=True),
        Field("payer_zip", 327, 334, "num"),
        Field("guarantor", 335, 394, "alpha", truncate=True),
    ),
)

REMITTANCE_TRAILER = _record("remittance_trailer", "9", ())

RETURN_LAYOUTS = {
    # bank code: (header, detail, amount read from the file)
    "341": (ITAU_RETURN_HEADER, ITAU_RETURN_DETAIL),
    "237": (BRADESCO_RETURN_HEADER, BRADESCO_RETURN_DETAIL),
    "001": (BB_CBR643_RETURN_HEADER, BB_CBR643_RETURN_DETAIL),
}

REMITTANCE_LAYOUTS = {
    "341": (ITAU_REMITTANCE_HEADER, ITAU_REMITTANCE_DETAIL, REMITTANCE_TRAILER),
    "237": (BRADESCO_REMITTANCE_HEADER, BRADESCO_REMITTANCE_DETAIL, REMITTANCE_TRAILER),
}

RECORDS = {
    spec.name: spec
    for spec in (
        RETURN_HEADER,
        ITAU_RETURN_HEADER,
        BRADESCO_RETURN_HEADER,
        BB_CBR643_RETURN_HEADER,
        ITAU_RETURN_DETAIL,
        BRADESCO_RETURN_DETAIL,
        BB_CBR643_RETURN_DETAIL,
        RETURN_TRAILER,
        ITAU_REMITTANCE_HEADER,
        ITAU_REMITTANCE_DETAIL,
        ITAU_REMITTANCE_FINE,
        BRADESCO_REMITTANCE_HEADER,
        BRADESCO_REMITTANCE_DETAIL,
        REMITTANCE_TRAILER,
    )
}

# Occurrence codes -> meaning, from each bank's 400 manual (as listed in brcobranca/kmee).
RETURN_MEANINGS = {
    "341": {
        "02": "accepted",  # entrada confirmada
        "03": "rejected",  # entrada rejeitada
        "06": "settled",  # liquidação normal
        "07": "settled",  # liquidação parcial
        "08": "settled",  # liquidação em cartório
        "09": "written_off",  # baixa simples
        "10": "written_off",  # baixa por ter sido liquidado
        "15": "instruction_rejected",  # baixas rejeitadas
        "16": "instruction_rejected",  # instruções rejeitadas
        "17": "instruction_rejected",  # alteração/exclusão de dados rejeitada
        "28": "fee",  # débito de tarifas/custas
    },
    "237": {
        "02": "accepted",  # entrada confirmada
        "03": "rejected",  # entrada rejeitada
        "06": "settled",  # liquidação normal
        "09": "written_off",  # baixado automaticamente via arquivo
        "10": "written_off",  # baixado conforme instruções da agência
        "15": "settled",  # liquidação em cartório
        "16": "settled",  # título pago em cheque - vinculado
        "17": "settled",  # liquidação após baixa ou título não registrado
        "24": "rejected",  # entrada rejeitada por CEP irregular
        "27": "instruction_rejected",  # baixa rejeitada
        "28": "fee",  # débito de tarifas/custas
        "30": "instruction_rejected",  # alteração de outros dados rejeitados
        "32": "instruction_rejected",  # instrução rejeitada
    },
    "001": {
        "02": "accepted",  # confirmação de entrada
        "03": "rejected",  # comando recusado
        "05": "settled",  # liquidado sem registro
        "06": "settled",  # liquidação normal
        "07": "settled",  # liquidação por conta
        "08": "settled",  # liquidação por saldo
        "09": "written_off",  # baixa de título
        "10": "written_off",  # baixa solicitada
        "15": "settled",  # liquidação em cartório
        "96": "fee",  # despesas de protesto
        "97": "fee",  # despesas de sustação de protesto
        "98": "fee",  # débito de custas antecipadas
    },
}
