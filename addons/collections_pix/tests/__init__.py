from . import test_demo_data
from . import test_i18n
from . import test_pix
from . import test_agreements_br
from . import test_pix_webhook
from . import test_pix_tours
from . import test_boleto
