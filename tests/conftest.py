"""Fixtures shared by the tests. Helper modules (catalogue, strategies, cheats, check_answers, toycourse,
navigation) are on pytest's ``pythonpath`` (pyproject.toml)."""
import os
from collections.abc import Sequence

import pytest

from bpkit.course.checks import CheckFailed
from check_answers import unanswered


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


class Checking:
    """Runs a graded check (made by ``bpkit.course.checks.check``) on answers and holds it to the verdict
    protocol of ``bpkit.course.checks._core``, spelled out here, not taken from bpkit:

    * :meth:`passes`: the check prints exactly ``PASSED <exercise> <title> [p/p points]`` and a newline, the
      exercise, title and points being the check's own (``check.info``); a failing check's ``CheckFailed``
      (an ``AssertionError``) goes through, so the test fails with the verdict and its hint;
    * :meth:`fails`: the check raises ``CheckFailed``, printing nothing, whose message is the line
      ``FAILED <exercise> <title> [0/p points]`` and then ``Hint: <its .hint>``, not a bug of the check
      (``.bug`` False), and each fragment of ``hints`` is in the hint itself (not only in the title);
    * :attr:`unanswered`: an answer that raises ``NotImplementedError``, as an exercise does before it is
      answered (``check_answers.unanswered``, also for ``parametrize`` lists, which no fixture reaches).
    """

    unanswered = staticmethod(unanswered)

    def __init__(self, capsys):
        self._capsys = capsys

    def passes(self, check, *answers) -> str:
        """``check(*answers)`` passes with exactly its PASSED line; returns what it printed."""
        info = check.info
        check(*answers)
        out = self._capsys.readouterr().out
        line = f"PASSED {info.exercise} {info.title} [{info.points}/{info.points} points]\n"
        assert out == line, f"{info.exercise} should print exactly {line!r}, printed {out!r}"
        return out

    def fails(self, check, *answers, hints: str | Sequence[str] = ()) -> CheckFailed:
        """``check(*answers)`` fails with its FAILED line and a hint containing every fragment of ``hints``
        (one string, or several); returns the ``CheckFailed``."""
        info = check.info
        try:
            check(*answers)
        except CheckFailed as failed:
            caught = failed
        else:
            raise AssertionError(f"{info.exercise} should fail, but passed: {self._capsys.readouterr().out!r}")
        out = self._capsys.readouterr().out
        assert out == "", f"{info.exercise} failed, but printed {out!r}"
        text = str(caught)
        head = f"FAILED {info.exercise} {info.title} [0/{info.points} points]"
        assert text == f"{head}\nHint: {caught.hint}", f"{info.exercise} should fail with {head!r} and a hint: {text!r}"
        assert not caught.bug, f"{info.exercise} crashed (a bug of the check, not the answer's mistake): {text}"
        for fragment in (hints,) if isinstance(hints, str) else hints:
            assert fragment in caught.hint, f"{fragment!r} is not in the hint of {info.exercise}: {caught.hint!r}"
        return caught


@pytest.fixture
def checking(capsys) -> Checking:
    """Graded checks run on answers, held to the verdict protocol (:class:`Checking`)."""
    return Checking(capsys)
