// The caller's page: their visit's state, the clinic's messages (with an audible
// alert), and — when the clinic allows it — a field to write back.
import { blocked, chime, unlock, unlockOnFirstTouch } from "../waitroom/alert.js";
import { $, format, pageData, sendOnEnter } from "../waitroom/page.js";
import { LiveSocket, clientId } from "../waitroom/socket.js";
import { messageItem } from "../waitroom/thread.js";
import { timeOfDay, waited } from "../waitroom/time.js";
import { Mesh, localMedia } from "../calls/mesh.js";
import { VideoTiles, bindMediaButtons, participantName } from "../calls/tiles.js";

const page = pageData();
const S = page.strings;
const LIMITS = page.limits; // the server's rules (messaging/models.py), never written here

let lastSeq = 0; // the thread's last message this page shows
let seenSent = 0;
let deliveredSent = 0;
let visit = null;
let clinic = null;
let skew = 0; // server clock minus ours
let everConnected = false;
const outbox = new Map(); // client_id -> {body, element}: sends not yet confirmed

const socket = new LiveSocket({
  url: () => `${page.socket}?after=${lastSeq}`,
  onFrame,
  onOpen() {
    $("connection").hidden = true;
  },
  onDown() {
    $("connection").hidden = false;
  },
  onStop(code) {
    $("connection").hidden = true;
    if (code === 4409) return showReplaced();
    if (!visit || visit.present) location.reload(); // the server's page says why
  },
});

function onFrame(frame) {
  switch (frame.type) {
    case "hello": {
      skew = Date.parse(frame.now) - Date.now();
      const missed = frame.messages.filter((m) => m.sender === "clinic");
      frame.messages.forEach(addMessage);
      applyVisit(frame.visit);
      applyClinic(frame.clinic);
      applyQueue(frame.queue ?? null); // the page's truth starts again here
      iceServers = frame.ice_servers;
      applyCall(frame.call);
      // Only messages that arrived while this page was away are news; the
      // thread shown after a refresh is not.
      if (everConnected && missed.length) alertCaller();
      everConnected = true;
      for (const [id, entry] of outbox) socket.send({ type: "send", client_id: id, body: entry.body });
      sendReceipts();
      break;
    }
    case "message":
      addMessage(frame.message);
      if (frame.message.sender === "clinic") alertCaller();
      sendReceipts();
      break;
    case "sent":
      confirmSent(frame.client_id);
      break;
    case "visit":
      applyVisit(frame.visit);
      break;
    case "clinic":
      applyClinic(frame.clinic);
      break;
    case "queue":
      applyQueue(frame.queue);
      break;
    case "replaced":
      showReplaced();
      break;
    case "call":
      applyCall(frame.call);
      break;
    case "signal":
      mesh?.receive(frame.from, frame.signal);
      break;
    case "error":
      if (frame.client_id && outbox.has(frame.client_id)) failSend(frame.client_id, frame.code);
      break;
  }
}

// The thread ---------------------------------------------------------------

function messageElement(sender, body, when, at) {
  const who = sender === "clinic" ? (clinic ? clinic.name : "") : S.you;
  return messageItem({ sender, who, when, at, body });
}

function addMessage(message) {
  if (message.seq <= lastSeq) return;
  lastSeq = message.seq;
  const li = messageElement(message.sender, message.body, timeOfDay(message.created_at), message.created_at);
  li.dataset.seq = message.seq;
  $("messages").append(li);
  $("no-messages").hidden = true;
  li.scrollIntoView({ block: "nearest" });
}

function alertCaller() {
  chime();
  if (blocked()) $("sound").hidden = false;
  document.body.classList.remove("alerting");
  void document.body.offsetWidth; // restart the highlight animation
  document.body.classList.add("alerting");
  if (document.hidden) document.title = `✉ ${S.new_message}`;
}

function sendReceipts() {
  const seen = document.visibilityState === "visible" ? lastSeq : seenSent;
  if (lastSeq === deliveredSent && seen === seenSent) return;
  if (socket.send({ type: "receipt", delivered: lastSeq, seen })) {
    deliveredSent = lastSeq;
    seenSent = seen;
  }
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") {
    document.title = document.title.replace(/^✉ .*/, S.waiting);
    sendReceipts();
  }
});

// Writing to the clinic ---------------------------------------------------

$("compose").addEventListener("submit", (event) => {
  event.preventDefault();
  const field = $("compose-body");
  const body = field.value.trim();
  showComposeError("");
  if (!body) return showComposeError(S.err_empty);
  if (body.length > LIMITS.body_max) return showComposeError(S.err_too_long);
  const id = clientId();
  const element = messageElement("caller", body, S.sending);
  element.classList.add("pending");
  $("messages").append(element);
  outbox.set(id, { body, element });
  socket.send({ type: "send", client_id: id, body });
  field.value = "";
  field.focus();
});

$("compose-body").maxLength = LIMITS.body_max;
sendOnEnter($("compose-body"), $("compose"));

function confirmSent(id) {
  const entry = outbox.get(id);
  if (!entry) return;
  outbox.delete(id);
  entry.element.remove(); // the stored message arrives as a "message" frame
}

function failSend(id, code) {
  const entry = outbox.get(id);
  outbox.delete(id);
  entry.element.remove();
  $("compose-body").value = entry.body;
  showComposeError(S[`err_${code}`] || S.err_other);
}

function showComposeError(text) {
  $("compose-error").textContent = text;
  $("compose-error").hidden = !text;
}

// The visit and the clinic ------------------------------------------------

function applyVisit(next) {
  visit = next;
  const state = next.present ? next.status : "ended";
  $("state").dataset.state = state;
  const detail = $("state-detail");
  detail.hidden = true;
  if (state === "ended") {
    applyCall(null);
    $("state-title").textContent = S.ended;
    detail.textContent = S[`ended_${next.leave_reason}`] || S.ended_left;
    detail.hidden = false;
    if (!$("enter-again")) {
      const again = document.createElement("a");
      again.id = "enter-again";
      again.href = location.pathname.replace(/wait\/$/, "");
      again.textContent = S.enter_again;
      $("state").append(again);
    }
    document.querySelector("form.leave").hidden = true;
    $("waiting-text").hidden = true;
    document.querySelector(".waited").hidden = true;
  } else {
    $("state-title").textContent = S[state] || S.waiting;
    if (S[`${state}_detail`]) {
      detail.textContent = S[`${state}_detail`];
      detail.hidden = false;
    }
  }
  updateCompose();
  showQueue();
  tick();
}

function applyClinic(next) {
  if (clinic && next.slug !== clinic.slug) {
    // Transferred: this visit now waits at another clinic, under its address.
    page.socket = page.socket.replace(`/${clinic.slug}/`, `/${next.slug}/`);
    history.replaceState(null, "", location.pathname.replace(`/${clinic.slug}/`, `/${next.slug}/`));
    document.querySelector("form.leave").action = document.querySelector("form.leave").action.replace(`/${clinic.slug}/`, `/${next.slug}/`);
  }
  document.querySelector(".topbar .brand").textContent = next.name;
  clinic = next;
  $("waiting-text").textContent = inPageLanguage(next.waiting_text, next.language) || S.waiting_text_default;
  updateCompose();
}

// The clinic's text in the page's language, else in the clinic's, else in
// any it wrote (the server's Clinic.text_for chooses the same way).
function inPageLanguage(texts, clinicLanguage) {
  const order = [document.documentElement.lang, clinicLanguage || "en", ...Object.keys(texts)];
  for (const code of order) if (texts[code] && texts[code].trim()) return texts[code];
  return "";
}

function updateCompose() {
  const open = Boolean(
    clinic && clinic.guest_messaging && visit && visit.present && (visit.status === "waiting" || visit.status === "on_hold"),
  );
  $("compose").hidden = !open;
}

// The queue ----------------------------------------------------------------
// The server sends this page its own place when it changes ({position, wait}
// or null when the clinic shows no queue). Screen readers hear it politely, at
// most every ANNOUNCE_EVERY ms and only when the words change.

const ANNOUNCE_EVERY = 12000;
let queue = null;
let announced = "";
let announcedAt = 0;
let announcing = null;

function applyQueue(next) {
  queue = next;
  showQueue();
}

function waitText(wait) {
  if (!wait) return "";
  const [start, end] = wait;
  if (end === null) return S.wait_over;
  if (start === 0) return format(S.wait_under, { end });
  return format(S.wait_about, { start, end });
}

function queueText() {
  if (!queue || !queue.position || !visit || !visit.present || visit.status !== "waiting") return "";
  return format(S.queue_position, { n: queue.position });
}

function showQueue() {
  const text = queueText();
  const wait = text ? waitText(queue.wait) : "";
  $("queue").hidden = !text;
  $("queue-position").textContent = text;
  $("queue-wait").textContent = wait;
  $("queue-wait").hidden = !wait;
  if (text && !announcing) {
    announcing = setTimeout(announceQueue, Math.max(0, announcedAt + ANNOUNCE_EVERY - Date.now()));
  }
}

function announceQueue() {
  announcing = null;
  const text = [queueText(), queueText() && waitText(queue.wait)].filter(Boolean).join(". ");
  if (!text || text === announced) return;
  announced = text;
  announcedAt = Date.now();
  $("queue-news").textContent = text;
}

// The video call ---------------------------------------------------------

let iceServers = [];
let mesh = null;
let media = null;
let currentCall = null; // the newest call state: a tile may appear long after the mesh was made
const tiles = new VideoTiles($("stage"));

function applyCall(call) {
  currentCall = call;
  const open = Boolean(call && call.open && visit && visit.present);
  $("call").hidden = !open;
  if (!open) {
    if (mesh) {
      mesh.close();
      mesh = null;
      media.then((stream) => stream?.getTracks().forEach((t) => t.stop()));
      media = null;
    }
    return;
  }
  if (!mesh) {
    const me = call.participants.find((p) => p.is_caller).id;
    media = localMedia().then((stream) => {
      $("media-error").hidden = Boolean(stream);
      $("local-video").srcObject = stream;
      return stream;
    });
    bindMediaButtons(media, $("mute"), $("camera"), S);
    mesh = new Mesh({
      me,
      iceServers,
      send: (to, signal) => socket.send({ type: "signal", to, signal }),
      onStream: (id, stream) => tiles.show(id, stream, participantName(currentCall, id)),
      onGone: (id) => tiles.remove(id),
    });
    media.then((stream) => mesh?.setLocalStream(stream));
  }
  // On hold: nothing goes out, and the clinic sends nothing in.
  mesh.pause(null, call.on_hold);
  $("held").hidden = !call.on_hold;
  $("stage").classList.toggle("held", call.on_hold);
  mesh.update(call.participants);
  for (const p of call.participants) tiles.rename(p.id, p.name);
}

function showReplaced() {
  $("connection").hidden = true;
  $("state-title").textContent = S.replaced;
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = S.use_here;
  button.addEventListener("click", () => {
    button.remove();
    socket.restart();
  });
  $("state").append(button);
  $("compose").hidden = true;
}

function tick() {
  if (!visit || !visit.present) return;
  $("waited").textContent = waited(S, Date.now() + skew - Date.parse(visit.arrived_at));
}
setInterval(tick, 10000);

// Sound -------------------------------------------------------------------

$("sound-on").addEventListener("click", async () => {
  if (await unlock()) $("sound").hidden = true;
});
unlockOnFirstTouch((ok) => ok && ($("sound").hidden = true));
setTimeout(() => {
  if (blocked()) $("sound").hidden = false;
}, 500);
