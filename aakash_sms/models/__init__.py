from . import aakash_sms_provider
from . import aakash_sms_message
from . import models
from . import account_move
from . import ir_actions_server
from . import res_company_invoice
from . import res_config_settings
