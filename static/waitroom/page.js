// What every page's module needs from its page: the data the server put in
// it (`page` through json_script: addresses, translated strings, limits), its
// elements by id, and the small habits all the pages share.

export const $ = (id) => document.getElementById(id);

export function pageData() {
  return JSON.parse($("page-data").textContent);
}

// The server's translated texts name their blanks: "Notify {name}".
export function format(text, values) {
  return text.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
}

// Enter sends, Shift+Enter starts a new line: the way chat fields behave.
export function sendOnEnter(field, form) {
  field.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}

export function bindCloseButtons() {
  for (const button of document.querySelectorAll("dialog [data-close]")) {
    button.addEventListener("click", () => button.closest("dialog").close());
  }
}

// The sign-in ended (signed out here or elsewhere, idle, expired): show the
// sign-in, which brings the person back to `next` (this page unless told).
let leaving = false;
export function signInAgain(next = location.pathname + location.search) {
  if (leaving) return;
  leaving = true;
  location.assign(`${document.body.dataset.signIn}?next=${encodeURIComponent(next)}`);
}
