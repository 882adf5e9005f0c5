// Times as the pages show them, in the browser's own locale.
import { format } from "./page.js";

export function timeOfDay(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

export function dateAndTime(iso) {
  return new Date(iso).toLocaleString([], { dateStyle: "short", timeStyle: "short" });
}

// How long someone has waited, in words ("12 min", "1 h 5 min"): the page's
// strings say how, in its language.
export function waited(strings, ms) {
  const minutes = Math.max(0, Math.floor(ms / 60000));
  if (minutes < 60) return format(strings.minutes, { n: minutes });
  return format(strings.hours, { h: Math.floor(minutes / 60), m: minutes % 60 });
}

// How long a call has lasted, as a running clock: "4:07", "1:04:07".
export function clock(ms) {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}
