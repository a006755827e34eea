"""Pure helpers of the collections ruler: standard library and ``requests``, no Odoo import.

They are tested by plain pytest (see ``tests/`` at the repository root).
"""
