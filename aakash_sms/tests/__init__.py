from . import test_install
from . import test_provider
from . import test_composer
from . import test_invoice
from . import test_automation
from . import test_queue_concurrency
from . import test_tours
from . import test_native_bridge
