import pytest

from planner.paging import Page
from planner.paging import clamp_page


@pytest.mark.parametrize(
    ("number", "size", "total", "expected"),
    [
        (1, 25, 0, 1),
        (0, 25, 100, 1),
        (-3, 25, 100, 1),
        (4, 25, 100, 4),
        (5, 25, 100, 4),
        (9, 25, 101, 5),
    ],
)
def test_clamp_page(number, size, total, expected):
    assert clamp_page(number, size, total) == expected


def test_page_positions():
    page = Page(items=list(range(5)), number=3, size=10, total=25)
    assert (page.pages, page.first_index, page.last_index) == (3, 21, 25)
    assert page.has_previous
    assert not page.has_next


def test_empty_page():
    page: Page[int] = Page(items=[], number=1, size=10, total=0)
    assert (page.pages, page.first_index, page.last_index) == (1, 0, 0)
    assert not page.has_next
