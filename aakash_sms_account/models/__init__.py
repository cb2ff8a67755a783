from . import aakash_sms_reminder_step
from . import aakash_sms_reminder
from . import account_move
from . import res_company
from . import res_config_settings
from . import res_partner
