"""The link a reminder carries: who it is for, from which message, until when, signed.

A token reads ``<partner>.<company>.<communication>.<expiry YYYYMMDD>.<signature>``.
The signature is an HMAC the caller computes with the database secret (so a token
of one database opens nothing in another); this module only builds and reads the
text, so it stays pure and testable.
"""

import datetime
import hmac as _hmac
from dataclasses import dataclass

SIGNATURE_LENGTH = 32


class InvalidTokenError(ValueError):
    """The text is not a token of ours (malformed or tampered with)."""


@dataclass(frozen=True)
class PortalLink:
    partner_id: int
    company_id: int
    communication_id: int  # 0: a link not tied to one reminder (e.g. sent on request)
    expires_on: datetime.date

    def message(self) -> str:
        return f"{self.partner_id}.{self.company_id}.{self.communication_id}.{self.expires_on:%Y%m%d}"

    def is_expired(self, today: datetime.date) -> bool:
        return today > self.expires_on


def build(link: PortalLink, signature: str) -> str:
    """The token text of ``link`` signed with ``signature`` (hex, cut to SIGNATURE_LENGTH)."""
    return f"{link.message()}.{signature[:SIGNATURE_LENGTH]}"


def parse(token: str) -> tuple:
    """(PortalLink, signature) of ``token``; raises InvalidTokenError on anything else."""
    parts = (token or "").strip().split(".")
    if len(parts) != 5 or not all(part.isdigit() for part in parts[:4]):
        raise InvalidTokenError("not a portal link")
    try:
        expires = datetime.datetime.strptime(parts[3], "%Y%m%d").date()
    except ValueError as error:
        raise InvalidTokenError("bad expiry date") from error
    signature = parts[4]
    if len(signature) != SIGNATURE_LENGTH or any(ch not in "0123456789abcdef" for ch in signature):
        raise InvalidTokenError("bad signature")
    return PortalLink(int(parts[0]), int(parts[1]), int(parts[2]), expires), signature


def signature_matches(expected: str, given: str) -> bool:
    """Constant-time comparison of the signature part."""
    return _hmac.compare_digest(expected[:SIGNATURE_LENGTH], given)
