"""Settings for the test suite: the development defaults (debug on, so the development secret
is accepted), then the ordinary settings. Django's test runner turns DEBUG off by itself."""

import os

os.environ.setdefault("TONGKET_DEBUG", "true")

from tongket.settings import *  # noqa: F403
