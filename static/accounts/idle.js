// On every page of a signed-in person: the sign-in ends after a while without
// activity (accounts/sessions/limits.py). A minute before, a dialog offers "Stay
// signed in"; at the end, the page goes to the sign-in. Clicks and keys on
// the page count as activity and are told to the server now and then; the
// socket's heartbeats never are, so an unattended screen signs itself out.
import { postJson } from "../waitroom/http.js";
import { $, signInAgain } from "../waitroom/page.js";

const data = JSON.parse($("staff-session-data").textContent);
const dialog = $("idle-dialog");
let deadline = Date.now() + data.seconds_left * 1000;
let toldAt = Date.now(); // the page's own request was activity
let active = false;

for (const kind of ["pointerdown", "keydown"]) {
  addEventListener(kind, () => (active = true), { capture: true, passive: true });
}

async function stay() {
  toldAt = Date.now();
  active = false;
  try {
    const answer = await postJson(data.stay);
    deadline = Date.now() + answer.seconds_left * 1000;
  } catch (error) {
    if (error.code === "not_signed_in") signInAgain();
    // No answer: the next activity tries again; the deadline stands.
  }
}

$("idle-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  await stay();
  if (deadline - Date.now() > data.warning_seconds * 1000) dialog.close();
});

setInterval(() => {
  const left = deadline - Date.now();
  // Half a second past the server's deadline, so that the sign-in page
  // finds the session over rather than making it active again.
  if (left < -500) {
    signInAgain();
  } else if (left <= data.warning_seconds * 1000) {
    if (!dialog.open) dialog.showModal();
  } else if (active && Date.now() - toldAt >= data.touch_every * 1000) {
    stay();
  }
}, 250);
