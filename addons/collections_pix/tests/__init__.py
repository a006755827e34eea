from . import test_demo_data
from . import test_i18n
from . import test_pix
