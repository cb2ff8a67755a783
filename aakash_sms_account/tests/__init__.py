from . import test_invoice
from . import test_invoice_confirmation
from . import test_clarity
from . import test_permissions
from . import test_tours
from . import test_i18n
from . import test_nepali_invoice_text
