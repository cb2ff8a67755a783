from . import test_provider_choice
