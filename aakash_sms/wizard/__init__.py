from . import aakash_sms_composer
