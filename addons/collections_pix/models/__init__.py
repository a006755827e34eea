from . import collection_demo
from . import collection_pix_provider
from . import collection_pix_charge
from . import collection_pix_event
from . import account_move
from . import collection_communication
