"""Mask contact data shown on pages reached by a tokenised link.

Whoever holds a reminder link sees the page without logging in, so the page
shows enough for the customer to recognise their own address or phone and no
more (LGPD: data minimisation).
"""


def mask_email(email: str) -> str:
    """``joana.silva@example.com`` -> ``jo*********@example.com``."""
    if not email or email.count("@") != 1:
        return ""
    local, domain = email.strip().split("@")
    visible = 2 if len(local) > 3 else 1
    return f"{local[:visible]}{'*' * (len(local) - visible)}@{domain}"


def mask_phone(phone: str) -> str:
    """Keep the last four digits: ``+55 11 98765-4321`` -> ``(**) *****-4321``."""
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if len(digits) < 8:
        return ""
    return f"(**) *****-{digits[-4:]}"
