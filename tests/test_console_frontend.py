"""The staff console's front-end unit tests (Vitest): the data provider and the translations.

Run here so that `make test` and `.ci/run` fail when they fail; the console's dependencies are
installed from its lock file first when missing (staff_console/build.py).
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from staff_console.build import HERE, install_dependencies

pytestmark = pytest.mark.slow


def test_vitest_passes():
    install_dependencies()
    npm = shutil.which("npm")
    assert npm is not None, "The staff console's tests need npm"
    result = subprocess.run(
        [npm, "test", "--", "--reporter=dot"], cwd=HERE, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in result.stdout
