from . import res_company
from . import res_config_settings
from . import collection_portal_action
from . import res_partner
from . import collection_communication
from . import collection_agreement
