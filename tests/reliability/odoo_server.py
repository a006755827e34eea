"""Start Odoo in its deployed shape (``--workers``) for the reliability scripts.

Odoo's prefork server also spawns a long-polling (bus, websocket) process as
``sys.argv[0] gevent ...``: with ``python3 -m odoo`` that path is ``odoo/__main__.py``,
which cannot run as a script, and on a source install gevent's plugin loading can trip
over package metadata. The webhook needs no bus, so that process just waits here.
"""

import signal
import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["gevent"]:
        signal.pause()  # the prefork server stops it with the others
    else:
        import odoo.cli

        odoo.cli.main()
