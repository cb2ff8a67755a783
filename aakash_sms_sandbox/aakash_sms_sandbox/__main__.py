"""``python -m aakash_sms_sandbox --port 8765 --token demo --credit 1000``"""

from .gateway import main

main()
