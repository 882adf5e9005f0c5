// The caller's page: their visit's state, the clinic's messages (with an audible
// alert), and — when the clinic allows it — a field to write back.
import { blocked, chime, ring, unlock, unlockOnFirstTouch } from "../waitroom/alert.js";
import { $, bindCloseButtons, format, pageData, sendOnEnter } from "../waitroom/page.js";
import { LiveSocket, clientId } from "../waitroom/socket.js";
import { messageItem } from "../waitroom/thread.js";
import { timeOfDay, waited } from "../waitroom/time.js";
import { DeviceCheck } from "../calls/devicecheck.js";
import { listDevices, openMedia, playOnChosenSpeaker } from "../calls/devices.js";
import { Mesh } from "../calls/mesh.js";
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
const pageTitle = document.title;

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
  // In a call, what the clinic writes opens the messages panel (focus stays where it is).
  if (mesh && !panelOpen && message.sender === "clinic") setPanel(true, { focus: false });
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
    stopRinging(); // they have come to the page
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
    document.querySelector(".device-check-entry").hidden = true;
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
    clinic &&
      clinic.guest_messaging &&
      visit &&
      visit.present &&
      ["waiting", "on_hold", "being_seen"].includes(visit.status),
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
// While a call is open the page is the call screen (body.calling,
// static/calls/call.css): the clinic's video fills it, the caller's own
// picture small in a corner, a control bar; the waiting room's texts go.

const RING_MS = 30000; // the ring stops after this long, or once the caller is at the page
const RING_EVERY_MS = 3000;

let iceServers = [];
let mesh = null;
let media = null;
let currentCall = null; // the newest call state: a tile may appear long after the mesh was made
let panelOpen = false;
const tiles = new VideoTiles($("stage"), {
  S,
  onBlocked: () => showJoinGate(),
  onPlaying: () => !document.hidden && $("join-gate").hidden && stopRinging(),
  prepare: playOnChosenSpeaker,
});

function applyCall(call) {
  currentCall = call;
  const open = Boolean(call && call.open && visit && visit.present);
  $("call").hidden = !open;
  document.body.classList.toggle("calling", open);
  if (!open) {
    stopRinging();
    setPanel(false, { focus: false });
    $("join-gate").hidden = true;
    if ($("leave-dialog").open) $("leave-dialog").close();
    if (mesh) {
      mesh.close();
      tiles.retain([]);
      mesh = null;
      media.then((stream) => stream?.getTracks().forEach((t) => t.stop()));
      media = null;
    }
    return;
  }
  if (!mesh) {
    if ($("device-check").open) $("device-check").close(); // its camera is the call's now
    startRinging();
    const me = call.participants.find((p) => p.is_caller).id;
    media = openMedia().then(({ stream, camera, microphone }) => {
      socket.send({ type: "devices", camera, microphone });
      $("media-error").hidden = camera === "ready" && microphone === "ready";
      $("local-video").srcObject = stream;
      offerCameraSwitch(stream);
      return stream;
    });
    bindMediaButtons(media, $("mute"), $("camera"), S);
    mesh = new Mesh({
      me,
      iceServers,
      send: (to, signal) => socket.send({ type: "signal", to, signal }),
      onStream: (id, stream) => tiles.show(id, stream, participantName(currentCall, id)),
      onGone: (id) => tiles.remove(id),
      onQuality: (id, level) => tiles.setQuality(id, level),
      onReconnecting: (id, reconnecting) => tiles.setReconnecting(id, reconnecting),
    });
    media.then((stream) => mesh?.setLocalStream(stream));
  }
  // On hold: nothing goes out, and the clinic sends nothing in.
  mesh.pause(null, call.on_hold);
  $("held").hidden = !call.on_hold;
  $("stage").classList.toggle("held", call.on_hold);
  mesh.update(call.participants);
  tiles.retain(call.participants.map((p) => p.id));
  for (const p of call.participants) tiles.rename(p.id, p.name);
}

// The ring: a telephone's ring every 3 s, the tab's title, a vibration on
// phones and (where the caller allowed it in the device check) a notification,
// until the caller is at the page, the clinic's video plays, or 30 s.
let ringing = null;
let notification = null;

function startRinging() {
  if (ringing) return;
  const started = Date.now();
  const once = () => {
    if (Date.now() - started >= RING_MS) return stopRinging();
    ring();
    navigator.vibrate?.([400, 200, 400]);
    // The browser keeps sound (and so media) off until the page is touched.
    setTimeout(() => ringing && blocked() && showJoinGate(), 400);
  };
  ringing = setInterval(once, RING_EVERY_MS);
  once();
  document.body.dataset.ringing = "true";
  document.title = `📞 ${S.call_starting}`;
  if (document.hidden && "Notification" in window && Notification.permission === "granted") {
    try {
      notification = new Notification(S.call_starting, {
        body: format(S.call_from, { clinic: clinic ? clinic.name : "" }),
        tag: "waitroom-call",
      });
      notification.onclick = () => window.focus();
    } catch {
      notification = null; // Android's Chrome notifies only from a service worker
    }
  }
}

function stopRinging() {
  if (!ringing) return;
  clearInterval(ringing);
  ringing = null;
  document.body.dataset.ringing = "false";
  navigator.vibrate?.(0);
  notification?.close();
  notification = null;
  if (document.title.startsWith("📞")) document.title = pageTitle;
}

for (const type of ["pointerdown", "keydown"]) document.addEventListener(type, () => stopRinging());

// One clear button when the browser wants a tap before sound and video play.
function showJoinGate() {
  if (!mesh || !$("join-gate").hidden) return;
  $("join-gate").hidden = false;
  if (document.hasFocus()) $("join-call").focus();
}

$("join-call").addEventListener("click", async () => {
  await unlock();
  tiles.playAll();
  $("local-video").play().catch(() => {});
  $("join-gate").hidden = true;
  $("sound").hidden = true;
  stopRinging();
  $("mute").focus();
});

// Switch camera: where there is more than one (a phone's front and back).
let facing = "user";

async function offerCameraSwitch(stream) {
  const cameras = (await listDevices()).filter((d) => d.kind === "videoinput");
  $("switch-camera").hidden = !stream?.getVideoTracks().length || cameras.length < 2;
}

$("switch-camera").addEventListener("click", async () => {
  const stream = await media;
  const old = stream?.getVideoTracks()[0];
  if (!old) return;
  const cameras = (await listDevices()).filter((d) => d.kind === "videoinput");
  const next = cameras[(cameras.findIndex((c) => c.deviceId === old.getSettings().deviceId) + 1) % cameras.length];
  facing = facing === "user" ? "environment" : "user";
  // Phones say which way a camera faces; computers name their cameras.
  const video = old.getSettings().facingMode ? { facingMode: { exact: facing } } : { deviceId: { exact: next.deviceId } };
  try {
    const [track] = (await navigator.mediaDevices.getUserMedia({ video })).getVideoTracks();
    track.enabled = old.enabled;
    old.stop();
    stream.removeTrack(old);
    stream.addTrack(track);
    mesh?.replaceTrack(old, track);
  } catch (error) {
    console.warn("switch camera", error.name);
  }
});

// Messages: the thread as a panel of the call screen.
function setPanel(open, { focus = true } = {}) {
  panelOpen = open;
  document.body.classList.toggle("thread-open", open);
  $("messages-toggle").setAttribute("aria-expanded", String(open));
  if (open) {
    if (focus) ($("compose").hidden ? $("thread-title") : $("compose-body")).focus();
  } else if (focus) {
    $("messages-toggle").focus();
  }
}

$("messages-toggle").addEventListener("click", () => setPanel(!panelOpen));
$("messages-close").addEventListener("click", () => setPanel(false));
$("thread").addEventListener("keydown", (event) => {
  if (event.key === "Escape" && panelOpen) setPanel(false);
});

// Leave: asked first.
$("leave-call").addEventListener("click", () => $("leave-dialog").showModal());
$("leave-confirm").addEventListener("click", () => document.querySelector("form.leave").submit());
$("leave-dialog").addEventListener("close", () => mesh && $("leave-call").focus());

bindCloseButtons();
new DeviceCheck(S, (camera, microphone) => socket.send({ type: "devices", camera, microphone }));

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
