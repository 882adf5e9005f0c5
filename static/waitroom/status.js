// A caller's status as every staff page shows it: a colour (the element's
// status-* class), a shape and words — never colour alone. A caller being
// seen says by whom and for how long: "Being seen · by Dr Lee · 4 min".
import { format } from "./page.js";
import { waited } from "./time.js";

// Who is with the caller and since when, in words ("by Dr Lee · 4 min"), or "".
export function seenBy(S, card, now) {
  const seats = card.seen_by || [];
  if (!seats.length || !["being_seen", "on_hold"].includes(card.status)) return "";
  const since = Math.min(...seats.map((s) => Date.parse(s.since)));
  return format(S.seen_by, { names: seats.map((s) => s.name).join(", "), time: waited(S, now - since) });
}

// Fills a status line made by statusLine(): its shape, its words, its colour.
export function renderStatus(line, S, card, now) {
  line.dataset.status = card.status;
  line.querySelector(".status").textContent = S[`status_${card.status}`];
  line.querySelector(".with").textContent = seenBy(S, card, now);
}

export function statusLine(tag = "p") {
  const line = document.createElement(tag);
  line.className = "status-line";
  const shape = document.createElement("span");
  shape.className = "shape";
  shape.setAttribute("aria-hidden", "true");
  const status = document.createElement("span");
  status.className = "status";
  const withWhom = document.createElement("span");
  withWhom.className = "with";
  line.append(shape, status, " ", withWhom);
  return line;
}
