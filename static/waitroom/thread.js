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
