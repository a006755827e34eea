import pytest

from collections_portal.tools.masking import mask_email, mask_phone
from collections_ruler.tools.documents import InvalidTaxIdError, parse_tax_id


@pytest.mark.parametrize(
    ("value", "kind", "digits", "formatted"),
    [
        ("104.332.181-00", "cpf", "10433218100", "104.332.181-00"),
        ("10433218100", "cpf", "10433218100", "104.332.181-00"),
        ("31.034.131/0001-13", "cnpj", "31034131000113", "31.034.131/0001-13"),
        (" 31034131000113 ", "cnpj", "31034131000113", "31.034.131/0001-13"),
    ],
)
def test_parse_tax_id_recognises_cpf_and_cnpj(value, kind, digits, formatted):
    tax_id = parse_tax_id(value)
    assert (tax_id.kind, tax_id.digits, tax_id.formatted) == (kind, digits, formatted)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("104.332.181-01", "CPF"),
        ("31.034.131/0001-14", "CNPJ"),
        ("1234", "4 digits"),
        ("", "0 digits"),
        (None, "0 digits"),
    ],
)
def test_parse_tax_id_rejects_with_a_clear_message(value, message):
    with pytest.raises(InvalidTaxIdError, match=message):
        parse_tax_id(value)


def test_mask_email_keeps_domain_and_a_hint():
    assert mask_email("joana.silva@example.com") == "jo*********@example.com"
    assert mask_email("ab@example.com") == "a*@example.com"
    assert mask_email("not-an-email") == ""
    assert mask_email("") == ""


def test_mask_phone_keeps_last_four_digits():
    assert mask_phone("+55 11 98765-4321") == "(**) *****-4321"
    assert mask_phone("123") == ""
    assert mask_phone(None) == ""
