"""Test settings: the real settings, with a throwaway data folder and fast hashing."""

import os
import tempfile

# Always a fresh folder: tests never touch the data of a developer who exported UNDERSIGN_DATA.
os.environ["UNDERSIGN_DATA"] = tempfile.mkdtemp(prefix="undersign-test-")
# The Makefile exports UNDERSIGN_URL for `make run`; the tests' links lead to the test client.
os.environ["UNDERSIGN_URL"] = "http://testserver"

from undersign.settings import *  # noqa: F403
from undersign.settings import DATA_DIR, DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if DATABASES["default"]["ENGINE"] == "undersign.sqlite":
    # A file, not memory, so threads and processes in the tests share one real database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}

# Tests sign many times from one address; the rate-limit tests set their own limits.
SIGNING_BURST_LIMIT = (10_000, 60)
SIGNING_SUSTAINED_LIMIT = (10_000, 3600)
SIGNING_PROVEN_LIMITS = [(10_000, 60), (10_000, 3600)]
ALTCHA_COST = 2  # a puzzle the tests solve in a blink
# The shared statement page shows a confirmation at once here (in production within a
# second); tests/test_page_cache.py sets the lag itself.
PAGE_COUNTER_LAG_SECONDS = 0
