from . import test_provider_choice
from . import test_foreign_numbers
