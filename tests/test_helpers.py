"""The one helper per job (issue 14 #3), on fixed strings: expected values are written here, not computed."""

from __future__ import annotations

from coursekit.order import presented, question_key, scrambled, seeded_order
from coursekit.text import one_line, url_label


def test_url_label_gives_one_label_per_url() -> None:
    assert url_label("https://www.childline.org.uk/") == "childline.org.uk"
    assert url_label("https://www.childline.org.uk") == "childline.org.uk"
    assert url_label("http://example.org/a/b/") == "example.org/a/b"
    assert url_label("https://example.org/a/b") == "example.org/a/b"
    assert url_label("https://example.org/search?q=help") == "example.org/search?q=help"
    assert url_label("mailto:report@example.org") == "report@example.org"
    assert url_label("tel:+448001111") == "+448001111"
    # Nothing is cut: a long link is printed and shown in full (the module wraps it).
    long = "https://www.childline.org.uk/info-advice/bullying-abuse-safety/online-mobile-safety/remove-nude-image/"
    assert url_label(long) == "childline.org.uk/info-advice/bullying-abuse-safety/online-mobile-safety/remove-nude-image"
    # Only a leading "www." goes; a "www" elsewhere stays.
    assert url_label("https://shop.www-example.org/") == "shop.www-example.org"


def test_one_line_flattens_markdown() -> None:
    assert one_line("**Bold** and *em*") == "Bold and em"
    assert one_line("First paragraph.\n\nSecond   paragraph.") == "First paragraph. Second paragraph."
    assert one_line("- one\n- two") == "• one • two"
    assert one_line("  spaced\n  out  ") == "spaced out"
    assert one_line("`code` stays") == "code stays"
    assert one_line("Not your fault \u2764\ufe0f") == "Not your fault \u2764\ufe0f"


def test_seeded_order_is_fixed_by_the_key() -> None:
    assert seeded_order("k", list("abcdefg")) == ["d", "e", "a", "b", "f", "c", "g"]
    assert seeded_order("gamebook/odd-email", list(range(10))) == [2, 8, 6, 9, 5, 7, 3, 0, 4, 1]
    assert seeded_order("final/steps", ["Stop: don't click", "Check the sender", "Report it"]) == \
        ["Check the sender", "Stop: don't click", "Report it"]
    # The order depends on the key and the count only, never on the texts.
    assert seeded_order("k", [10, 20, 30, 40, 50, 60, 70]) == [40, 50, 10, 20, 60, 30, 70]


def test_scrambled_never_keeps_the_authored_order() -> None:
    for key in ("a", "b", "x", "final/steps", "final/who"):
        assert scrambled(key, [1, 2]) == [2, 1]
    for count in range(2, 9):
        for key in (f"q{n}" for n in range(40)):
            assert scrambled(key, list(range(count))) != list(range(count)), (key, count)
    assert scrambled("k", []) == [] and scrambled("k", ["only"]) == ["only"]
    # Otherwise it is the seeded order itself.
    assert scrambled("k", list("abcdefg")) == ["d", "e", "a", "b", "f", "c", "g"]


def test_seeded_order_leaves_its_input_alone() -> None:
    items = ["a", "b", "c"]
    seeded_order("k", items)
    assert items == ["a", "b", "c"]
    assert seeded_order("k", ("a", "b", "c")) == seeded_order("k", ["a", "b", "c"])


def test_presented_is_the_questions_scrambled_order() -> None:
    assert question_key("final", "steps") == "final/steps"
    steps = ["Stop: don't click", "Check the sender", "Report it"]
    assert presented("final", "steps", steps) == ["Check the sender", "Stop: don't click", "Report it"]
    assert presented("final", "who", ["Helpdesk", "An adult you trust", "Nobody"]) == \
        ["An adult you trust", "Nobody", "Helpdesk"]
