"""Fixtures shared by the tests. Helper modules (catalogue, strategies, cheats, toycourse, navigation) are on
pytest's ``pythonpath`` (pyproject.toml)."""
import os

import pytest


@pytest.fixture(scope="session")
def sandboxed() -> bool:
    """True where bpkit grade can make its bubblewrap sandbox. Without one, a test that needs it is skipped with
    the reason, unless ``BPKIT_REQUIRE_SANDBOX=1`` (CI), then it fails."""
    from bpkit.course.grading import sandbox

    why = sandbox.problem()
    if why is None:
        return True
    if os.environ.get("BPKIT_REQUIRE_SANDBOX") == "1":
        pytest.fail(f"no grading sandbox here ({why}); BPKIT_REQUIRE_SANDBOX=1 requires it "
                    "(run tools/install_sandbox.sh)")
    pytest.skip(f"no grading sandbox here ({why}): skipped; tools/install_sandbox.sh installs bubblewrap")
