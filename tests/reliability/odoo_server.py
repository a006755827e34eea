"""Start Odoo from a file, so that the long-polling process Odoo spawns with ``sys.argv[0]`` starts too.

(``python3 -m odoo`` leaves ``sys.argv[0]`` pointing at ``odoo/__main__.py``, which cannot be run as a
script; Odoo's own ``odoo-bin`` is not part of a source install.)
"""

import odoo.cli

if __name__ == "__main__":
    odoo.cli.main()
