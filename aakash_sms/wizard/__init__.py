from . import aakash_sms_composer
from . import sms_composer
from . import aakash_sms_resend
