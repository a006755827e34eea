from . import collection_promise_wizard
from . import collection_export_wizard
from . import collection_agreement_wizard
from . import collection_installment_reschedule_wizard
from . import account_payment_register
from . import collection_report_export
