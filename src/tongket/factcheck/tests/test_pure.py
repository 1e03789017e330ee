"""The library half of tongket.factcheck runs without Django (it is reused outside the app)."""

import subprocess
import sys


def test_library_modules_do_not_import_django():
    code = (
        "import sys\n"
        "import tongket.factcheck.checks, tongket.factcheck.extract, tongket.factcheck.numbers\n"
        "import tongket.factcheck.readers, tongket.factcheck.cli, tongket.factcheck.scorer\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
