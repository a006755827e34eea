"""Each bank's nosso número and campo livre against slips published by other implementations.

Only the expected values are taken from those sources (never their code). Every vector names
its source: repository and path. The repositories were read at these commits:

- BRC = kivanio/brcobranca (Ruby) @ 325e0eae69ad298477b935a441a22c61c7556f31,
  ``spec/brcobranca/boleto/<bank>_spec.rb`` and ``spec/brcobranca/retorno/...``;
- OB = openboleto/openboleto (PHP) @ 1cb57131feb20d8bd8942f0c5f9cfab174bb730c,
  ``tests/Banco/<Bank>Test.php``;
- PYB = eduardocereto/pyboleto (Python) @ 3fab222c3a1d0b2dd4f8a0c3f788ffe8e9c61559,
  ``tests/test_banco_<bank>.py``.

For each slip: our bank module rebuilds the nosso número (where the source prints it), the
free field and, with :func:`boleto.make_barcode`, the exact barcode; the barcode and the
typeable line convert into each other.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collections_pix.tools import banks, boleto
from collections_pix.tools.banks import BankAccountData, InvalidAccount, UnknownBank

D = datetime.date
BRC = "kivanio/brcobranca spec/brcobranca/boleto/"
OB = "openboleto/openboleto tests/Banco/"
PYB = "eduardocereto/pyboleto tests/"


@dataclass(frozen=True)
class Slip:
    source: str
    bank: str
    account: BankAccountData
    sequence: int
    amount: str
    due: datetime.date
    barcode: str = ""
    line: str = ""
    nosso_numero: str = ""
    free_field: str = ""
    issue_date: datetime.date | None = None

    def __str__(self):
        return self.source


def acc(**kwargs):
    return BankAccountData(**kwargs)


BB_4042 = {"agency": "4042", "account": "61900", "carteira": "18"}
ITAU_0810 = {"agency": "0810", "account": "53678", "carteira": "175"}
SICREDI = {"agency": "0710", "posto": "65", "convenio": "129", "byte_idt": "2"}

SLIPS = [
    # ------------------------------------------------------------------ Banco do Brasil (001)
    Slip(
        BRC + "banco_brasil_spec.rb: convênio 8, nosso número 9",
        "001",
        acc(**BB_4042, convenio="12387989"),
        777700168,
        "135.00",
        D(2008, 2, 1),
        barcode="00193376900000135000000001238798977770016818",
        line="00190.00009 01238.798977 77700.168188 3 37690000013500",
        free_field="0000001238798977770016818",
        nosso_numero="12387989777700168",
    ),
    Slip(
        BRC + "banco_brasil_spec.rb: convênio 8, nosso número 7700168",
        "001",
        acc(**BB_4042, convenio="12387989"),
        7700168,
        "135.00",
        D(2008, 2, 2),
        barcode="00193377000000135000000001238798900770016818",
        line="00190.00009 01238.798902 07700.168185 3 37700000013500",
    ),
    Slip(
        BRC + "banco_brasil_spec.rb: convênio 7, nosso número 10",
        "001",
        acc(**BB_4042, convenio="1238798"),
        7777700168,
        "135.00",
        D(2008, 2, 3),
        barcode="00193377100000135000000001238798777770016818",
        line="00190.00009 01238.798779 77700.168188 3 37710000013500",
    ),
    Slip(
        BRC + "banco_brasil_spec.rb: convênio 7, 723.56",
        "001",
        acc(**BB_4042, convenio="1238798"),
        7777700168,
        "723.56",
        D(2008, 2, 3),
        barcode="00195377100000723560000001238798777770016818",
        line="00190.00009 01238.798779 77700.168188 5 37710000072356",
    ),
    Slip(
        BRC + "banco_brasil_spec.rb: convênio 7, 723.56 due 2008-02-01",
        "001",
        acc(**BB_4042, convenio="1238798"),
        7777700168,
        "723.56",
        D(2008, 2, 1),
        barcode="00194376900000723560000001238798777770016818",
        line="00190.00009 01238.798779 77700.168188 4 37690000072356",
    ),
    Slip(
        BRC + "banco_brasil_spec.rb: convênio 7, carteira 17",
        "001",
        acc(agency="3174", account="00011672", carteira="17", convenio="1474166"),
        328,
        "2246.74",
        D(2016, 7, 5),
        barcode="00191684600002246740000001474166000000032817",
        line="00190.00009 01474.166004 00000.328179 1 68460000224674",
    ),
    Slip(
        BRC + "banco_brasil_spec.rb: convênio 6, nosso número 5",
        "001",
        acc(**BB_4042, convenio="123879"),
        1234,
        "135.00",
        D(2008, 2, 1),
        barcode="00192376900000135001238790123440420006190018",
        line="00191.23876 90123.440423 00061.900189 2 37690000013500",
        free_field="1238790123440420006190018",
    ),
    Slip(
        BRC + "banco_brasil_spec.rb: convênio 4, nosso número 7",
        "001",
        acc(**BB_4042, convenio="1238"),
        123456,
        "135.00",
        D(2008, 2, 1),
        barcode="00191376900000135001238012345640420006190018",
        line="00191.23801 12345.640424 00061.900189 1 37690000013500",
    ),
    Slip(
        OB + "BancoDoBrasilTest.php: testInstantiateWithConvenio7LengthShouldWork",
        "001",
        acc(agency="1545", account="10403005", carteira="18", convenio="1234567"),
        1,
        "10.50",
        D(2013, 1, 1),
        line="00190.00009 01234.567004 00000.001180 7 55650000001050",
        nosso_numero="12345670000000001",
    ),
    Slip(
        OB + "BancoDoBrasilTest.php: testInstantiateWithConvenio6LengthShouldWork",
        "001",
        acc(agency="1545", account="10403005", carteira="18", convenio="123456"),
        1,
        "10.50",
        D(2013, 1, 1),
        line="00191.23454 60000.115455 10403.005183 1 55650000001050",
        nosso_numero="12345600001-7",
    ),
    Slip(
        OB + "BancoDoBrasilTest.php: testInstantiateWithConvenio4LengthShouldWork",
        "001",
        acc(agency="1545", account="10403005", carteira="18", convenio="1234"),
        1,
        "10.50",
        D(2013, 1, 1),
        line="00191.23405 00000.115451 10403.005183 5 55650000001050",
        nosso_numero="12340000001-1",
    ),
    Slip(
        PYB + "test_banco_do_brasil.py",
        "001",
        acc(agency="9999", account="99999", carteira="18", convenio="7777777"),
        87654,
        "2952.95",
        D(2011, 3, 8),
        barcode="00196490000002952950000007777777000008765418",
        line="00190.00009 07777.777009 00087.654182 6 49000000295295",
    ),
    # ------------------------------------------------------------------ Itaú (341)
    Slip(
        BRC + "itau_spec.rb: Gerar boleto (amount 0)",
        "341",
        acc(**ITAU_0810),
        12345678,
        "0",
        D(2009, 8, 14),
        barcode="34191432900000000001751234567840810536789000",
        line="34191.75124 34567.840813 05367.890000 1 43290000000000",
        free_field="1751234567840810536789000",
    ),
    Slip(
        BRC + "itau_spec.rb: nosso número 258281",
        "341",
        acc(**ITAU_0810),
        258281,
        "135.00",
        D(2008, 2, 2),
        barcode="34191377000000135001750025828170810536789000",
        line="34191.75009 25828.170818 05367.890000 1 37700000013500",
    ),
    Slip(
        BRC + "itau_spec.rb: carteira 109, due 2029-05-20 (factor after the 2025 reset)",
        "341",
        acc(agency="1248", account="02124", carteira="109"),
        10152,
        "6757.87",
        D(2029, 5, 20),
        barcode="34194254800006757871090001015271248021246000",
        line="34191.09008 01015.271248 80212.460002 4 25480000675787",
    ),
    Slip(
        OB + "ItauTest.php: testInstantiateShouldWork (carteira 112)",
        "341",
        acc(agency="1724", account="12345", carteira="112"),
        12345678,
        "10.50",
        D(2013, 1, 1),
        line="34191.12127 34567.881726 41234.580003 1 55650000001050",
        nosso_numero="112/12345678-8",
    ),
    Slip(
        PYB + "test_banco_itau.py",
        "341",
        acc(agency="0293", account="01328", carteira="109"),
        157,
        "29.80",
        D(2009, 10, 19),
        barcode="34199439500000029801090000015710293013280000",
        line="34191.09008 00015.710296 30132.800001 9 43950000002980",
    ),
    # ------------------------------------------------------------------ Bradesco (237)
    Slip(
        BRC + "bradesco_spec.rb: carteira 06",
        "237",
        acc(agency="1172", account="0403005", carteira="06"),
        75896452,
        "2952.95",
        D(2009, 4, 30),
        barcode="23795422300002952951172060007589645204030050",
        line="23791.17209 60007.589645 52040.300502 5 42230000295295",
        free_field="1172060007589645204030050",
    ),
    Slip(
        BRC + "bradesco_spec.rb: carteira 03",
        "237",
        acc(agency="4042", account="61900", carteira="03"),
        777700168,
        "135.00",
        D(2008, 2, 2),
        barcode="23791377000000135004042030077770016800619000",
        line="23794.04201 30077.770011 68006.190000 1 37700000013500",
    ),
    Slip(
        OB + "BradescoTest.php: testInstantiateShouldWork",
        "237",
        acc(agency="1172", account="403005", carteira="6"),
        123456789,
        "10.50",
        D(2013, 1, 1),
        line="23791.17209 60012.345678 89040.300504 8 55650000001050",
    ),
    Slip(
        PYB + "test_banco_bradesco.py",
        "237",
        acc(agency="278", agency_dv="0", account="39232", account_dv="4", carteira="06"),
        2125525,
        "8280.00",
        D(2011, 2, 5),
        barcode="23794486900008280000278060000212552500392320",
        line="23790.27804 60000.212559 25003.923205 4 48690000828000",
    ),
    # ------------------------------------------------------------------ Santander (033)
    Slip(
        BRC + "santander_spec.rb: Gerar boleto, 25.00",
        "033",
        acc(agency="0059", convenio="1899775", carteira="102"),
        9000026,
        "25.00",
        D(2011, 10, 9),
        barcode="03399511500000025009189977500000900002690102",
        line="03399.18997 77500.000904 00026.901025 9 51150000002500",
        free_field="9189977500000900002690102",
    ),
    Slip(
        BRC + "santander_spec.rb: Gerar boleto, 54.00",
        "033",
        acc(agency="0059", convenio="1899775", carteira="102"),
        9000272,
        "54.00",
        D(2012, 9, 8),
        barcode="03393545000000054009189977500000900027250102",
        line="03399.18997 77500.000904 00272.501024 3 54500000005400",
    ),
    Slip(
        OB + "SantanderTest.php: testInstantiateShouldWork",
        "033",
        acc(agency="1234", convenio="1234567", carteira="102"),
        12345678901,
        "23.00",
        D(2013, 1, 1),
        line="03399.12347 56701.234561 78901.001020 2 55650000002300",
        nosso_numero="012345678901-0",
    ),
    Slip(
        PYB + "test_banco_santander.py",
        "033",
        acc(agency="1333", convenio="0707077", carteira="102"),
        1234567,
        "2952.95",
        D(2012, 7, 22),
        barcode="03395540200002952959070707700000123456790102",
        line="03399.07073 07700.000123 34567.901029 5 54020000295295",
        nosso_numero="000001234567-9",
    ),
    # ------------------------------------------------------------------ Caixa (104), SIGCB
    Slip(
        BRC + "caixa_spec.rb: Gerar o código de barras (free field only)",
        "104",
        acc(agency="1825", convenio="245274", carteira="1"),
        1,
        "10.00",
        D(2008, 2, 3),
        nosso_numero="14000000000000001-4",
        free_field="2452740000100040000000017",
    ),
    Slip(
        OB + "CaixaTest.php: testInstantiateShouldWork (sem registro)",
        "104",
        acc(agency="0501", convenio="433756", carteira="SR"),
        5000000061,
        "810.94",
        D(2014, 3, 18),
        line="10494.33756 65000.200546 00000.006106 8 60060000081094",
        nosso_numero="24000005000000061-2",
    ),
    Slip(
        OB + "CaixaTest.php: testInstantiatingShouldWorkWithSevenDigitBeneficiary",
        "104",
        acc(agency="3454", convenio="1242119", carteira="RG"),
        157460299,
        "20.00",
        D(2024, 11, 4),
        line="10491.24215 19000.100040 15746.029915 1 98900000002000",
        nosso_numero="14000000157460299-6",
    ),
    # ------------------------------------------------------------------ Sicoob (756)
    Slip(
        BRC + "sicoob_spec.rb: Montar código de barras modalidade 01",
        "756",
        acc(agency="4327", account="417270", convenio="229385", carteira="1", modalidade="01"),
        2,
        "50.00",
        D(2016, 2, 18),
        line="75691.43279 01022.938508 00000.240010 2 67080000005000",
        free_field="1432701022938500000024001",
    ),
    Slip(
        BRC + "sicoob_spec.rb: Montar código de barras modalidade 05",
        "756",
        acc(agency="4134", account="10333", convenio="148180", carteira="1", modalidade="05"),
        110,
        "235.00",
        D(2017, 4, 15),
        line="75691.41349 05014.818008 00011.040011 4 71300000023500",
        free_field="1413405014818000001104001",
    ),
    Slip(
        OB + "SicoobTest.php: testInstantiateShouldWork",
        "756",
        acc(agency="3069", account="153850", convenio="153850", carteira="1", modalidade="01"),
        203210,
        "1575.75",
        D(2018, 5, 25),
        line="75691.30698 01015.385006 20321.010017 9 75350000157575",
        nosso_numero="0203210-1",
    ),
    # ------------------------------------------------------------------ Sicredi (748)
    Slip(
        BRC + "sicredi_spec.rb: Montar código de barras para carteira número 3",
        "748",
        acc(**SICREDI, carteira="3"),
        8879,
        "195.57",
        D(2016, 8, 22),
        line="74893.11626 08879.307109 65001.291056 1 68940000019557",
        free_field="3116208879307106500129105",
        nosso_numero="16/208879-3",
        issue_date=D(2016, 8, 22),
    ),
    *[
        Slip(
            f"{BRC}sicredi_spec.rb: carteira número 1, {case}",
            "748",
            acc(**SICREDI, carteira="1"),
            sequence,
            amount,
            due,
            line=line,
            free_field=free,
            issue_date=D(2016, 8, 22),
        )
        for case, sequence, amount, due, line, free in [
            (
                "case 1",
                8879,
                "195.57",
                D(2016, 8, 22),
                "74891.11620 08879.307109 65001.291015 1 68940000019557",
                "1116208879307106500129101",
            ),
            (
                "case 2",
                8902,
                "700.00",
                D(2016, 7, 25),
                "74891.11620 08902.107104 65001.291007 3 68660000070000",
                "1116208902107106500129100",
            ),
            (
                "case 3",
                8896,
                "700.00",
                D(2016, 7, 25),
                "74891.11620 08896.307108 65001.291072 1 68660000070000",
                "1116208896307106500129107",
            ),
            (
                "case 4",
                8899,
                "700.00",
                D(2016, 7, 25),
                "74891.11620 08899.807104 65001.291031 6 68660000070000",
                "1116208899807106500129103",
            ),
            (
                "case 5",
                8878,
                "195.58",
                D(2016, 7, 25),
                "74891.11620 08878.507105 65001.291064 1 68660000019558",
                "1116208878507106500129106",
            ),
            (
                "case 6",
                9048,
                "222.00",
                D(2016, 8, 26),
                "74891.11620 09048.807102 65001.291031 8 68980000022200",
                "1116209048807106500129103",
            ),
        ]
    ],
]


@pytest.mark.parametrize("slip", SLIPS, ids=str)
def test_bank_module_rebuilds_the_published_slip(slip):
    """Each slip's source is its id (repository and path, see the module docstring)."""
    bank = banks.get(slip.bank)
    number = bank.nosso_numero(slip.account, slip.sequence, issue_date=slip.issue_date)
    if slip.nosso_numero:
        assert number == slip.nosso_numero
    free = bank.free_field(slip.account, number)
    if slip.free_field:
        assert free == slip.free_field
    barcode = boleto.make_barcode(bank.CODE, Decimal(slip.amount), slip.due, free)
    if slip.barcode:
        assert barcode == slip.barcode
    if slip.line:
        assert boleto.format_line(boleto.line_from_barcode(barcode)) == slip.line
        assert boleto.barcode_from_line(slip.line) == barcode
        parsed = boleto.parse(slip.line, today=slip.due)
        assert (parsed.bank_code, parsed.due_date, parsed.amount) == (bank.CODE, slip.due, Decimal(slip.amount))
        assert parsed.free_field == free
    # The nosso número we print is read back to the same key.
    assert bank.read_nosso_numero(number) == bank.read_nosso_numero(number.replace("-", " - "))


# ---------------------------------------------------------------------------- check digits


@pytest.mark.parametrize(
    ("bank", "account", "number", "expected"),
    [
        # BRC itau_spec.rb 'Montar nosso_numero_dv' (agency 0810, account 53678, carteira 175)
        *[("341", acc(**ITAU_0810), n, dv) for n, dv in [("00015448", "6"), ("12345678", "4"), ("00034230", "5")]],
        ("341", acc(**ITAU_0810), "00258281", "7"),
        # BRC bradesco_spec.rb 'Montar nosso_numero_boleto'
        ("237", acc(agency="1", account="1", carteira="06"), "00000000525", "P"),
        ("237", acc(agency="1", account="1", carteira="09"), "00000000001", "1"),
        ("237", acc(agency="1", account="1", carteira="19"), "00000000002", "8"),
        ("237", acc(agency="1", account="1", carteira="19"), "00000000006", "0"),
        ("237", acc(agency="1", account="1", carteira="19"), "00000000001", "P"),
        # BRC santander_spec.rb 'Montar nosso_numero_dv'
        ("033", acc(convenio="1899775", carteira="102"), "566612457800", "2"),
        ("033", acc(convenio="1899775", carteira="102"), "90002720", "7"),
        ("033", acc(convenio="1899775", carteira="102"), "1961005", "0"),
        # BRC sicoob_spec.rb 'Montar nosso numero dv' (cooperativa 4327, convênio 229385)
        *[
            ("756", acc(agency="4327", convenio="229385"), str(n), dv)
            for n, dv in zip(range(1, 14), "7419630853085", strict=True)
        ],
        # BRC sicredi_spec.rb 'Montar nosso_numero_boleto'
        ("748", acc(**SICREDI), "16208879", "3"),
        ("748", acc(agency="0165", posto="02", convenio="00623"), "07200003", "1"),
        # OB BancoDoBrasilTest.php, convênio 6 and 4
        ("001", acc(agency="1545", account="10403005", carteira="18", convenio="123456"), "12345600001", "7"),
        ("001", acc(agency="1545", account="10403005", carteira="18", convenio="1234"), "12340000001", "1"),
        # BB 7-digit convênio: no check digit
        ("001", acc(carteira="18", convenio="1234567"), "12345670000000001", ""),
    ],
)
def test_nosso_numero_check_digit(bank, account, number, expected):
    assert banks.get(bank).nosso_numero_check_digit(account, number) == expected


def test_printed_nosso_numero():
    """BRC itau_spec.rb 'Montar nosso_numero_boleto'; sicredi_spec.rb; caixa_spec.rb."""
    assert banks.get("341").nosso_numero(acc(agency="0607", account="15255", carteira="175"), 12345678) == (
        "175/12345678-4"
    )
    sicredi = acc(agency="0165", posto="02", convenio="00623", byte_idt="2")
    assert banks.get("748").nosso_numero(sicredi, 3, issue_date=D(2007, 8, 26)) == "07/200003-1"
    assert banks.get("237").nosso_numero(acc(agency="1", account="1", carteira="6"), 525) == "06/00000000525-P"


@pytest.mark.parametrize(
    ("bank", "good", "bad_field", "bad_value"),
    [
        # BRC banco_brasil_spec.rb 'Montar agencia_conta_boleto': 4042-8 / 00061900-0, 0548-7 / 00001448-6
        (
            "001",
            acc(agency="4042", agency_dv="8", account="61900", account_dv="0", carteira="18", convenio="1234567"),
            "agency_dv",
            "9",
        ),
        (
            "001",
            acc(agency="0548", agency_dv="7", account="1448", account_dv="6", carteira="18", convenio="123456"),
            "account_dv",
            "5",
        ),
        ("001", acc(agency="0719", agency_dv="6", account="1", carteira="18", convenio="123456"), "agency_dv", "X"),
        # BRC itau_spec.rb 'Montar agencia_conta_corrente_dv'
        ("341", acc(agency="0607", account="15255", account_dv="0", carteira="109"), "account_dv", "1"),
        ("341", acc(agency="1547", account="85547", account_dv="6", carteira="109"), "account_dv", "7"),
        ("341", acc(agency="1547", account="10207", account_dv="7", carteira="109"), "account_dv", "0"),
        ("341", acc(agency="0811", account="53678", account_dv="8", carteira="109"), "account_dv", "9"),
        # BRC bradesco_spec.rb '#agencia_dv' and '#conta_corrente_dv'
        ("237", acc(agency="2839", agency_dv="8", account="0019669", account_dv="P", carteira="09"), "agency_dv", "7"),
        ("237", acc(agency="0121", agency_dv="P", account="0325620", account_dv="0", carteira="09"), "account_dv", "P"),
        ("237", acc(agency="2332", agency_dv="9", account="0010673", account_dv="9", carteira="09"), "account_dv", "8"),
        # BRC caixa_spec.rb 'Montar agencia_conta_boleto': 245274-0, 123456-0, 654321-9
        ("104", acc(convenio="245274", account_dv="0"), "account_dv", "1"),
        ("104", acc(convenio="654321", account_dv="9"), "account_dv", "0"),
    ],
)
def test_account_check_digits(bank, good, bad_field, bad_value):
    module = banks.get(bank)
    module.validate(good)
    with pytest.raises(boleto.InvalidChecksum, match=r"check digit should be"):
        module.validate(good.replace(**{bad_field: bad_value}))


@pytest.mark.parametrize(
    ("bank", "account", "message"),
    [
        ("001", acc(carteira="18", convenio="12345"), "4, 6, 7 or 8 digits"),
        ("001", acc(carteira="18", convenio="123456"), "agency is required"),
        ("001", acc(carteira="18", convenio="123A567"), "digits only"),
        ("341", acc(agency="0810", account="53678", carteira="107"), "not supported"),
        ("341", acc(agency="18100", account="53678", carteira="109"), "at most 4 digits"),
        ("104", acc(convenio="1050000"), "between 1000000 and 1100000"),
        ("104", acc(convenio="245274", carteira="9"), "carteira is 1"),
        ("748", acc(**{**SICREDI, "byte_idt": "1"}), "from 2 to 9"),
        ("748", acc(**SICREDI, carteira="2"), "carteira"),
        ("756", acc(agency="4327"), "código do beneficiário is required"),
    ],
)
def test_account_data_is_validated(bank, account, message):
    with pytest.raises(InvalidAccount, match=message):
        banks.get(bank).validate(account)


def test_free_field_refuses_a_wrong_nosso_numero_check_digit():
    itau = acc(**ITAU_0810)
    with pytest.raises(boleto.InvalidChecksum, match="nosso número check digit should be 4, not 5"):
        banks.get("341").free_field(itau, "175/12345678-5")
    with pytest.raises(boleto.InvalidChecksum, match="nosso número"):
        banks.get("033").free_field(acc(convenio="1899775", carteira="102"), "000009000026-8")
    with pytest.raises(boleto.InvalidChecksum, match="nosso número"):
        banks.get("104").free_field(acc(convenio="245274"), "14000000000000001-5")


# ---------------------------------------------------------------------------- CNAB return keys


@pytest.mark.parametrize(
    ("bank", "account", "sequence", "issue_date", "raw", "key"),
    [
        # nosso número fields as brcobranca's return parsers extract them from its fixture files
        # (kivanio/brcobranca spec/brcobranca/retorno/...; spec/arquivos/*.RET)
        ("341", acc(**ITAU_0810), 11, None, "00000011", "00000011"),  # cnab400/itau_spec.rb
        (
            "237",
            acc(agency="1", account="1", carteira="09"),
            30,
            None,
            "000000000303",
            "00000000030",
        ),  # cnab400/bradesco
        ("033", acc(convenio="1", carteira="101"), 140, None, "0000000001406", "000000000140"),  # cnab240/santander
        ("756", acc(agency="1", convenio="1"), 8, None, "0000000083", "0000008"),  # cnab240/sicoob_spec.rb
        ("748", acc(**SICREDI), 59, D(2017, 3, 1), "172000595", "17200059"),  # cnab240/sicredi_spec.rb
    ],
)
def test_cnab_return_field_matches_the_issued_nosso_numero(bank, account, sequence, issue_date, raw, key):
    module = banks.get(bank)
    assert module.read_nosso_numero(raw) == key
    assert module.read_nosso_numero(f"  {raw}     ") == key
    assert module.read_nosso_numero(module.nosso_numero(account, sequence, issue_date=issue_date)) == key


def test_read_nosso_numero_variants():
    bb, itau, caixa, santander = banks.get("001"), banks.get("341"), banks.get("104"), banks.get("033")
    assert bb.read_nosso_numero("12345600001-7") == bb.read_nosso_numero("123456000017 ") == "12345600001"
    assert bb.read_nosso_numero("12345670000000001   ") == "12345670000000001"
    with pytest.raises(boleto.InvalidChecksum):
        bb.read_nosso_numero("12345600001-8")
    assert itau.read_nosso_numero("109/00010152-7") == itau.read_nosso_numero("109000101527") == "00010152"
    assert caixa.read_nosso_numero("14000000000000001-4") == caixa.read_nosso_numero("14000000000000001")
    with pytest.raises(boleto.InvalidChecksum):
        caixa.read_nosso_numero("14000000000000001-3")
    with pytest.raises(boleto.InvalidChecksum):
        santander.read_nosso_numero("0000000001405")
    with pytest.raises(boleto.InvalidLength):
        itau.read_nosso_numero("1234567")


# ---------------------------------------------------------------------------- registry and shape


def test_registry_and_shape():
    assert list(banks.BANKS) == ["001", "341", "237", "033", "104", "756", "748"]
    assert banks.get("1") is banks.get(1) is banks.get("001") is banks.BANKS["001"]
    with pytest.raises(UnknownBank, match="999"):
        banks.get("999")
    for code, module in banks.BANKS.items():
        assert code == module.CODE and module.NAME
        for name in ("validate", "nosso_numero", "nosso_numero_check_digit", "free_field", "read_nosso_numero"):
            assert callable(getattr(module, name)), (code, name)


ANY_ACCOUNT = {
    "001": [acc(**BB_4042, convenio=c) for c in ("1234", "123456", "1234567", "12345678")],
    "341": [acc(**ITAU_0810), acc(agency="0810", account="53678", carteira="126")],
    "237": [acc(agency="1172", account="403005", carteira="09")],
    "033": [acc(convenio="1899775", carteira="101")],
    "104": [acc(convenio="245274", carteira="1"), acc(convenio="1242119", carteira="2")],
    "756": [acc(agency="3069", convenio="153850")],
    "748": [acc(**SICREDI)],
}
MAX_SEQUENCE = {"001": 10**5 - 1, "341": 10**8 - 1, "237": 10**11 - 1, "033": 10**12 - 1, "104": 10**15 - 1}


@pytest.mark.parametrize("code", list(banks.BANKS))
@given(data=st.data())
@settings(max_examples=60, deadline=None)
def test_any_sequence_gives_a_valid_barcode_and_a_stable_key(code, data):
    module = banks.get(code)
    account = data.draw(st.sampled_from(ANY_ACCOUNT[code]))
    top = MAX_SEQUENCE.get(code, 10**5 - 1)
    first, second = data.draw(st.lists(st.integers(0, top), min_size=2, max_size=2, unique=True))
    issue = D(2026, 5, 1)
    number = module.nosso_numero(account, first, issue_date=issue)
    free = module.free_field(account, number)
    assert len(free) == 25 and free.isdigit()
    barcode = boleto.make_barcode(code, Decimal("12.34"), D(2026, 6, 1), free)
    assert boleto.barcode_from_line(boleto.line_from_barcode(barcode)) == barcode
    other = module.nosso_numero(account, second, issue_date=issue)
    assert module.read_nosso_numero(number) != module.read_nosso_numero(other)
    assert module.free_field(account, other) != free
