/* On narrow screens the main menu folds behind a "Menu" button (WCAG 1.4.10).
 *
 * The CSS folds it only once this has run (the "collapsible" class), so without
 * script the menu simply stays open. The button says whether it is open.
 */

export function foldMenu(nav) {
  const toggle = nav.querySelector(".menu-toggle");
  if (!toggle) return;
  nav.classList.add("collapsible");
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
  });
  nav.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || toggle.getAttribute("aria-expanded") !== "true") return;
    toggle.setAttribute("aria-expanded", "false");
    toggle.focus();
  });
}

const nav = document.querySelector(".site-nav");
if (nav) foldMenu(nav);
