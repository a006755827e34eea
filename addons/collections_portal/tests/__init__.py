from . import test_portal_access
from . import test_i18n
