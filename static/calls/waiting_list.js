// The waiting area beside a call: the clinic's callers as a compact list,
// live through the dashboard's own socket (its snapshot on connect, its card
// events, its fresh snapshot after a lost announcement). Arrivals and caller
// messages show here and are announced to screen readers, but make no sound
// unless the team member turns sound on: a consultation is not disturbed by
// signals from other callers.
import { chime, unlock } from "../waitroom/alert.js";
import { $, format, signInAgain } from "../waitroom/page.js";
import { LiveSocket } from "../waitroom/socket.js";
import { renderStatus, statusLine } from "../waitroom/status.js";

export class WaitingList {
  constructor({ url, strings, onCard = () => {} }) {
    this.S = strings;
    this.onCard = onCard; // each card as it changes (the call's own caller: the thread panel)
    this.cards = new Map();
    this.items = new Map();
    this.skew = 0;
    this.list = $("waiting-callers");
    $("sound-on").addEventListener("change", async () => {
      if ($("sound-on").checked) await unlock();
      this.list.dataset.sound = $("sound-on").checked ? "on" : "off";
    });
    new LiveSocket({
      url: () => url,
      onFrame: (frame) => this.onFrame(frame),
      onStop: (code) => code === 4401 && signInAgain(),
    });
    setInterval(() => this.renderAll(), 15000);
  }

  onFrame(frame) {
    if (frame.type === "snapshot") {
      this.skew = Date.parse(frame.now) - Date.now();
      const ids = new Set(frame.cards.map((c) => c.id));
      for (const id of [...this.cards.keys()]) if (!ids.has(id)) this.remove(id);
      for (const card of frame.cards) this.apply(card, true);
    } else if (frame.type === "callers") {
      for (const card of frame.cards) this.apply(card, false);
    } else if (frame.type === "counts") {
      for (const [id, version, count] of frame.counts) {
        const old = this.cards.get(id);
        if (old) this.apply({ ...old, version, message_count: count, last_message_from: frame.sender }, false);
      }
    }
    $("waiting-empty").hidden = this.cards.size > 0;
    $("waiting-empty").textContent = this.S.no_callers;
  }

  apply(card, quiet) {
    const old = this.cards.get(card.id);
    if (old && old.version >= card.version) return;
    if (!card.present) {
      if (old) {
        this.remove(card.id);
        if (!quiet) this.tell(format(this.S.left, { name: card.name }), false);
      }
      return;
    }
    this.cards.set(card.id, card);
    let li = this.items.get(card.id);
    if (!li) {
      li = this.newItem(card);
      if (!quiet) {
        li.classList.add("fresh");
        this.tell(format(this.S.arrived, { name: card.name }), true);
      }
    } else if (!quiet && card.message_count > old.message_count && card.last_message_from === "caller") {
      li.classList.add("fresh");
      this.tell(format(this.S.wrote, { name: card.name }), true);
    }
    this.render(li, card);
    this.onCard(card);
  }

  newItem(card) {
    const li = document.createElement("li");
    li.dataset.id = card.id;
    const name = document.createElement("strong");
    name.className = "name";
    const badge = document.createElement("span");
    badge.className = "badge";
    li.append(name, statusLine("span"), badge);
    // In arrival order: new arrivals are nearly always last.
    const key = (c) => [Date.parse(c.arrived_at), c.id];
    const [t, id] = key(card);
    let next = null;
    for (let el = this.list.lastElementChild; el; el = el.previousElementSibling) {
      const [ot, oid] = key(this.cards.get(Number(el.dataset.id)));
      if (ot < t || (ot === t && oid < id)) break;
      next = el;
    }
    this.list.insertBefore(li, next);
    this.items.set(card.id, li);
    return li;
  }

  render(li, card) {
    li.className = `${li.classList.contains("fresh") ? "fresh " : ""}status-${card.status}`;
    li.querySelector(".name").textContent = card.name;
    renderStatus(li.querySelector(".status-line"), this.S, card, Date.now() + this.skew);
    const badge = li.querySelector(".badge");
    const from = card.last_message_from === "caller" ? "caller" : "clinic";
    badge.hidden = !card.message_count;
    badge.className = `badge from-${from}`;
    badge.textContent = card.message_count || "";
    const key = `badge_${card.message_count === 1 ? "one" : "many"}_${from}`;
    badge.setAttribute("aria-label", format(this.S[key], { n: card.message_count }));
    badge.setAttribute("role", "img");
  }

  renderAll() {
    for (const [id, li] of this.items) this.render(li, this.cards.get(id));
  }

  remove(id) {
    this.items.get(id)?.remove();
    this.items.delete(id);
    this.cards.delete(id);
  }

  // Shown and announced; a sound only if the team member asked for one.
  tell(text, signal) {
    $("waiting-events").textContent = text;
    if (signal && $("sound-on").checked) chime();
  }
}
