from . import aakash_sms_provider
from . import aakash_sms_message
from . import models
from . import res_config_settings
