from . import test_portal_access
from . import test_i18n
from . import test_portal_routes
from . import test_portal_tours
from . import test_portal_payment
