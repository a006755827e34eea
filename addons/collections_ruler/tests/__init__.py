from . import test_foundation
from . import test_i18n
from . import test_ruler_plan
