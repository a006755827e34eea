"""CNAB 240/400 files: layouts as data (cnab240, cnab400), one reader and one writer (fields).

Public API: :func:`parse_return` -> :class:`ReturnFile`, :func:`build_remittance` -> bytes,
:func:`read_record` / :func:`write_record` for any :class:`RecordSpec`. Standard library only.
"""

from .fields import (
    CnabError,
    CnabFieldError,
    CnabLayoutError,
    CnabOverflowError,
    Field,
    RecordSpec,
    read_record,
    write_record,
)
from .remittance import build_remittance
from .returns import CnabFileError, CnabUnknownBankError, ReturnFile, ReturnLine, parse_return
