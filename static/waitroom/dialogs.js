// Dialogs and menus that keyboard and screen-reader users can follow: focus
// goes back to where it was when a dialog closes (or to the button whose menu
// opened it: the menu item itself is hidden by then), and a menu button's
// menu answers the arrow keys (the WAI-ARIA menu button pattern).

export function showDialog(dialog, returnTo = document.activeElement) {
  dialog.addEventListener(
    "close",
    () => {
      if (returnTo?.isConnected && returnTo.offsetParent !== null) returnTo.focus();
    },
    { once: true },
  );
  dialog.showModal();
}

// Up/Down move through the menu's items (wrapping), Home/End to the first and
// last, Escape and Tab close it; Escape gives focus back to its button.
export function bindMenuKeys(button, menu, close) {
  const items = () => [...menu.querySelectorAll('[role="menuitem"]')].filter((i) => i.offsetParent !== null);
  button.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    event.preventDefault();
    if (menu.hidden) button.click();
    const all = items();
    (event.key === "ArrowUp" ? all.at(-1) : all[0])?.focus();
  });
  menu.addEventListener("keydown", (event) => {
    const all = items();
    const at = all.indexOf(document.activeElement);
    const moves = {
      ArrowDown: () => all[(at + 1) % all.length],
      ArrowUp: () => all[(at - 1 + all.length) % all.length],
      Home: () => all[0],
      End: () => all.at(-1),
    };
    if (moves[event.key]) {
      event.preventDefault();
      moves[event.key]()?.focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
      button.focus();
    } else if (event.key === "Tab") {
      close();
    }
  });
}
