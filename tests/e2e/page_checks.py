"""What the accessibility sweeps run in the page: axe-core, and the reflow measure."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# What AXE_RUN is given: every WCAG A and AA rule.
EVERY_RULE = {"type": "tag", "values": AXE_TAGS}
# 320 CSS px: a 320 px phone, and 1280×1024 at 400 % zoom.
REFLOW = {"width": 320, "height": 256}
# The 1024×768 tablet at 200 % zoom.
ZOOMED = {"width": 512, "height": 384}

# The axe rules whose verdict can change with the window's width alone, the page
# showing the same elements: what overlaps what (contrast against the painted
# background), how big and how far apart targets are, and which boxes scroll.
# No stylesheet or script changes what a page shows between 1024 and 1440 CSS px
# (tests/unit/test_breakpoints.py), so a page checked in full at 1024 needs only
# these at 1440.
LAYOUT_RULES = ["color-contrast", "target-size", "scrollable-region-focusable"]

# Only the violations, and only what a report needs: the full result is large.
# ``only`` is {type: 'tag' or 'rule', values: [...]}.
AXE_RUN = """async (only) => {
  const results = await axe.run(document, {
    runOnly: only, resultTypes: ['violations'],
  });
  return results.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at `
    + v.nodes.slice(0, 4).map((node) => node.target.join(' ')).join('; '));
}"""

# Elements that stick out past the right edge, outside any box that scrolls itself;
# and boxes that do scroll sideways without being reachable by keyboard with a name.
REFLOW_SCRIPT = """() => {
  const root = document.documentElement;
  const problems = [];
  if (root.scrollWidth > root.clientWidth) {
    problems.push(`page is ${root.scrollWidth} px wide in ${root.clientWidth} px`);
  }
  // A box that does not let overflow out clips an element only if the element's
  // containing block is inside it (an absolute one escapes an unpositioned box).
  const clipped = (el) => {
    let contained = getComputedStyle(el).position !== 'absolute';
    let box = el.parentElement;
    for (; box && box !== document.body; box = box.parentElement) {
      const style = getComputedStyle(box);
      contained = contained || style.position !== 'static';
      if (contained && style.overflowX !== 'visible') return true;
    }
    return false;
  };
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  let wide = 0;
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= root.clientWidth + 1) continue;
    if (clipped(el) || getComputedStyle(el).position === 'fixed') continue;
    const right = Math.round(box.right);
    if (wide++ < 5) problems.push(`${describe(el)} ends at ${right} px`);
  }
  for (const el of document.body.querySelectorAll('*')) {
    const style = getComputedStyle(el).overflowX;
    if (style !== 'auto' && style !== 'scroll') continue;
    if (el.scrollWidth <= el.clientWidth + 1) continue;
    const named = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (el.tabIndex < 0 || !named) {
      problems.push(`${describe(el)} scrolls sideways but is not focusable and named`);
    }
  }
  return problems;
}"""


def check_axe(page: Page, name: str) -> None:
    """Assert axe-core finds nothing on the page once its stylesheets have loaded.

    A page reached by a tap can have its heading in the DOM before its CSS: axe
    measuring the unstyled page finds targets too close together (a CI flake).
    """
    page.wait_for_load_state("load")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.violations_count == 0, (name, results.generate_report())
