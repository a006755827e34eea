from . import test_foundation
from . import test_i18n
from . import test_ruler_plan
from . import test_ruler_dispatch
from . import test_contact_rules
from . import test_ruler_replay
from . import test_ruler_concurrency
from . import test_agreements
