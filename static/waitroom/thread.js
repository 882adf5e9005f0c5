// One message of a caller's thread, as both the caller's page and the
// dashboard's thread dialog show it: who and when above, the text below.

export function messageItem({ sender, who, when, at = null, body }) {
  const li = document.createElement("li");
  li.className = `message from-${sender}`;
  const meta = document.createElement("div");
  meta.className = "meta";
  const name = document.createElement("strong");
  name.textContent = who;
  const time = document.createElement("time");
  if (at) time.dateTime = at;
  time.textContent = when;
  meta.append(name, " · ", time);
  const text = document.createElement("p");
  text.className = "body";
  text.textContent = body; // text, never HTML: a message is whatever its writer typed
  li.append(meta, text);
  return li;
}

// A thread shown to staff, kept up to date by appending: a message already
// shown is never drawn again (only its receipt changes), so a screen reader
// reading the log (role=log around the list) announces each new message once.
export class StaffThread {
  constructor(list, strings) {
    this.list = list;
    this.S = strings;
    this.items = new Map(); // seq -> <li>
    // The highest numbers a receipts frame told: a frame may come while the
    // thread is still loading, older than the answer that then arrives.
    this.told = { delivered: 0, seen: 0 };
  }

  clear() {
    this.items.clear();
    this.told = { delivered: 0, seen: 0 };
    this.list.replaceChildren();
  }

  // `data` is the thread endpoint's answer: { name, messages: [...] } in order.
  show(data, dateAndTime) {
    for (const m of data.messages) {
      let li = this.items.get(m.seq);
      if (!li) {
        li = messageItem({
          sender: m.sender,
          who: m.sender === "clinic" ? m.author || this.S.from_clinic : data.name,
          when: dateAndTime(m.created_at),
          at: m.created_at,
          body: m.body,
        });
        li.dataset.seq = m.seq;
        if (m.sender === "clinic") {
          const receipt = document.createElement("span");
          receipt.className = "receipt";
          li.querySelector(".meta").append(" · ", receipt);
        }
        this.list.querySelector(".empty")?.remove();
        this.list.append(li);
        this.items.set(m.seq, li);
        li.scrollIntoView({ block: "nearest" });
      }
      const receipt = li.querySelector(".receipt");
      if (receipt) {
        const seen = m.seen_at || m.seq <= this.told.seen;
        const delivered = m.delivered_at || m.seq <= this.told.delivered;
        const text = seen ? this.S.seen : delivered ? this.S.delivered : this.S.sent;
        if (receipt.textContent !== text) receipt.textContent = text;
      }
    }
    if (!this.items.size && !this.list.querySelector(".empty")) {
      const li = document.createElement("li");
      li.className = "muted empty";
      li.textContent = this.S.thread_empty;
      this.list.append(li);
    }
  }

  // A receipts frame: the caller's page got / showed messages up to these numbers.
  receipts(deliveredSeq, seenSeq) {
    this.told = {
      delivered: Math.max(this.told.delivered, deliveredSeq),
      seen: Math.max(this.told.seen, seenSeq),
    };
    for (const [seq, li] of this.items) {
      const receipt = li.querySelector(".receipt");
      if (!receipt) continue;
      if (seq <= seenSeq) receipt.textContent = this.S.seen;
      else if (seq <= deliveredSeq && receipt.textContent === this.S.sent) receipt.textContent = this.S.delivered;
    }
  }
}
