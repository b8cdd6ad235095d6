"""Can the shared ``checking`` fixture (conftest.py) fail? Every lesson's check tests lean on it, so each thing it
asserts is shown here to catch the check that breaks it: toy checks made with the real harness (registered as
98.x for this module only), and stubs for what no harness-made check can do."""
import pytest

from bpkit.course.checks import REGISTRY, CheckFailed, Hint, check
from bpkit.course.checks.harness import CheckInfo


def add_right(a, b):
    return a + b


def add_subtracts(a, b):
    return a - b


@pytest.fixture(scope="module")
def toy():
    """Toy graded checks, made by the harness as the lessons' checks are, and removed from the registry after."""
    @check("98.1", "add two numbers", points=2)
    def add(f):
        if f(3, 4) != 7:
            raise Hint("add a and b, do not subtract b from a.")

    @check("98.2", "add, and chat", points=1)
    def chatty(f):
        print("working on it ...")
        if f(3, 4) != 7:
            raise Hint("add a and b.")

    @check("98.3", "add, by the check of 98.1", points=1)
    def borrowing(f):
        add(f)  # a failure is 98.1's CheckFailed, which the harness passes on as it is

    @check("98.4", "a check with a bug", points=1)
    def buggy(f):
        f(3, 4)
        return {}["missing"]

    @check("98.5", "add, and chat on failing", points=1)
    def chatty_on_failing(f):
        if f(3, 4) != 7:
            print("that was not 7")
            raise Hint("add a and b.")

    class Toy:
        pass

    toy = Toy()
    toy.add, toy.chatty, toy.borrowing, toy.buggy = add, chatty, borrowing, buggy
    toy.chatty_on_failing = chatty_on_failing
    yield toy
    for exercise in ("98.1", "98.2", "98.3", "98.4", "98.5"):
        REGISTRY.pop(exercise)


def stub(exercise="98.9", title="a stub", points=2, prints="", raises=None):
    """A check-like callable with ``.info`` that prints ``prints`` or raises ``raises``, as a broken harness might."""
    def run(*answers):
        if raises is not None:
            raise raises
        print(prints, end="")

    run.info = CheckInfo(exercise, title, points, run)
    return run


# ------------------------------------------------------------------------------ what passes
def test_passes_returns_the_passed_line(toy, checking):
    assert checking.passes(toy.add, add_right) == "PASSED 98.1 add two numbers [2/2 points]\n"


def test_fails_returns_the_check_failed_and_takes_one_fragment_or_several(toy, checking):
    failed = checking.fails(toy.add, add_subtracts, hints="do not subtract")
    assert isinstance(failed, CheckFailed) and failed.exercise == "98.1"
    checking.fails(toy.add, add_subtracts, hints=["add a and b", "do not subtract"])
    checking.fails(toy.add, add_subtracts)


def test_unanswered_fails_as_an_unanswered_exercise(toy, checking):
    with pytest.raises(NotImplementedError):
        checking.unanswered(3, 4)
    checking.fails(toy.add, checking.unanswered, hints="not answered yet")


# ------------------------------------------------------------------------------ .passes can fail
def test_passes_fails_on_a_failing_check(toy, checking):
    with pytest.raises(AssertionError, match="FAILED 98.1 add two numbers"):
        checking.passes(toy.add, add_subtracts)


def test_passes_fails_on_a_check_printing_two_lines(toy, checking):
    with pytest.raises(AssertionError, match="should print exactly"):
        checking.passes(toy.chatty, add_right)


@pytest.mark.parametrize("line", [
    "PASSED 98.9 a stub [1/2 points]\n",     # not the full points
    "PASSED 98.8 a stub [2/2 points]\n",     # another exercise
    "PASSED 98.9 another stub [2/2 points]\n",
    "PASSED 98.9 a stub [2/2 points]",       # no newline
    "",
], ids=["points", "exercise", "title", "no-newline", "nothing"])
def test_passes_fails_on_any_other_line(line, checking):
    with pytest.raises(AssertionError, match="should print exactly"):
        checking.passes(stub(prints=line))


# ------------------------------------------------------------------------------ .fails can fail
@pytest.mark.parametrize("name, answer, hints, error", [
    ("add", add_right, (), "98.1 should fail, but passed"),
    ("add", add_subtracts, "forgot the bias", "is not in the hint"),
    ("add", add_subtracts, ["do not subtract", "forgot the bias"], "is not in the hint"),
    ("add", add_subtracts, "two numbers", "is not in the hint"),  # in the FAILED line's title only
    ("add", add_subtracts, "ba", "is not in the hint"),  # its letters are in the hint, "ba" is not
    # 98.3's body runs 98.1's check: the failure that comes out is 98.1's, not 98.3's
    ("borrowing", add_subtracts, "do not subtract", "98.3 should fail with 'FAILED 98.3"),
    ("buggy", add_right, (), "crashed"),
    ("chatty_on_failing", add_subtracts, (), "failed, but printed"),
], ids=["check-passes", "fragment-missing", "one-of-two-missing", "fragment-in-title-only", "letters-only",
        "another-exercise", "bug-of-the-check", "printed"])
def test_fails_fails(name, answer, hints, error, toy, checking):
    with pytest.raises(AssertionError, match=error):
        checking.fails(getattr(toy, name), answer, hints=hints)


@pytest.mark.parametrize("failed", [
    CheckFailed("98.8", "a stub", 2, "a hint"),                 # another exercise
    CheckFailed("98.9", "another stub", 2, "a hint"),           # another title
    CheckFailed("98.9", "a stub", 1, "a hint"),                 # other points
], ids=["exercise", "title", "points"])
def test_fails_fails_on_another_failed_line(failed, checking):
    with pytest.raises(AssertionError, match="should fail with 'FAILED 98.9 a stub \\[0/2 points\\]'"):
        checking.fails(stub(raises=failed))


def test_fails_lets_other_exceptions_through(checking):
    """An exception that is no verdict (the check did not make it a CheckFailed) is an error of the test."""
    with pytest.raises(KeyError):
        checking.fails(stub(raises=KeyError("x")))
