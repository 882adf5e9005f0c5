// A team member's call screen: the videos, the Call Manager drawer (duration,
// current participants, Hold / Resume / Disconnect) and Hang up.
import { showDialog } from "../waitroom/dialogs.js";
import { ActionFailed, getJson, postJson } from "../waitroom/http.js";
import { $, bindCloseButtons, format, pageData, sendOnEnter, signInAgain } from "../waitroom/page.js";
import { LiveSocket, clientId } from "../waitroom/socket.js";
import { StaffThread } from "../waitroom/thread.js";
import { clock, dateAndTime } from "../waitroom/time.js";
import { Mesh, localMedia } from "./mesh.js";
import { VideoTiles, bindMediaButtons, participantName } from "./tiles.js";
import { WaitingList } from "./waiting_list.js";

const page = pageData();
const S = page.strings;

let call = null;
let me = null;
let leaving = false;
let mesh = null;
const peerStates = new Map();
const tiles = new VideoTiles($("stage"), { S });

const socket = new LiveSocket({
  url: () => page.socket,
  onFrame,
  onOpen: () => ($("connection").hidden = true),
  onDown: () => ($("connection").hidden = false),
  // The sign-in ended (4401): to the sign-in, then back to the waiting area.
  onStop: (code) => (code === 4401 ? signInAgain(page.dashboard) : leave()),
});

const media = localMedia().then((stream) => {
  if (!stream) {
    $("media-error").textContent = S.no_media;
    $("media-error").hidden = false;
    return null;
  }
  $("local-video").srcObject = stream;
  return stream;
});

async function onFrame(frame) {
  if (frame.type === "hello") {
    me = frame.me;
    if (!mesh) {
      mesh = new Mesh({
        me,
        iceServers: frame.ice_servers,
        send: (to, signal) => socket.send({ type: "signal", to, signal }),
        onStream: (id, stream) => tiles.show(id, stream, participantName(call, id)),
        onGone: (id) => tiles.remove(id),
        onState: (id, state) => {
          peerStates.set(id, state);
          renderParticipants();
        },
        onQuality: (id, level) => tiles.setQuality(id, level),
        onReconnecting: (id, reconnecting) => tiles.setReconnecting(id, reconnecting),
      });
      mesh.setLocalStream(await media);
      if (screen) mesh.shareVideo(screen);
    }
    applyCall(frame.call);
  } else if (frame.type === "call") {
    applyCall(frame.call);
  } else if (frame.type === "signal" && mesh) {
    mesh.receive(frame.from, frame.signal);
  }
}

function applyCall(next) {
  announceChanges(call, next);
  call = next;
  if (!call.open || !call.participants.some((p) => p.id === me)) return leave();
  $("hangup").disabled = false; // the hang-up dialog needs the call's participants
  const caller = callerOf();
  mesh.pause(caller ? [caller.id] : [], call.on_hold);
  mesh.update(call.participants);
  tiles.retain(call.participants.map((p) => p.id));
  for (const p of call.participants) tiles.rename(p.id, p.name);
  tiles.setHeld(caller?.id, call.on_hold);
  renderParticipants();
  if ($("hangup-dialog").open) renderHangupChoices();
}

// Back to the waiting area, once, whoever ended the call.
function leave() {
  if (leaving) return;
  leaving = true;
  mesh?.close();
  location.href = page.dashboard;
}

function callerOf() {
  return call.participants.find((p) => p.is_caller);
}

// The Call Manager -------------------------------------------------------

$("manager-toggle").addEventListener("click", () => {
  const open = $("manager").hidden;
  $("manager").hidden = !open;
  $("manager-toggle").setAttribute("aria-expanded", String(open));
});

function stateOf(p) {
  if (p.id === me) return S.you;
  if (p.is_caller && call.on_hold) return S.on_hold;
  if (!p.online) return S.offline;
  return peerStates.get(p.id) === "connected" || peerStates.get(p.id) === "completed" ? S.connected : S.connecting;
}

function renderParticipants() {
  if (!call) return;
  const items = call.participants.map((p) => {
    const li = document.createElement("li");
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = `${p.name} (${p.is_caller ? S.caller : S.team_member})`;
    const state = document.createElement("span");
    state.className = "state muted";
    state.textContent = stateOf(p);
    li.append(who, " ", state);
    const buttons = document.createElement("span");
    buttons.className = "buttons";
    if (p.is_caller) {
      buttons.append(button(call.on_hold ? S.resume : S.hold, () => manage(call.on_hold ? "resume" : "hold")));
    }
    if (p.id !== me) {
      buttons.append(
        button(S.disconnect, () => {
          if (confirm(format(S.disconnect_confirm, { name: p.name }))) manage("disconnect", { participant: p.id });
        }),
      );
    }
    li.append(buttons);
    return li;
  });
  $("participants").replaceChildren(...items);
}

function button(label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

setInterval(() => {
  if (call) $("duration").textContent = clock(Date.now() - Date.parse(call.started_at));
}, 1000);

// The call's actions, at page.actions + "hold/", "leave/", …
function act(action, data = {}) {
  return postJson(`${page.actions}${action}/`, data);
}

// A Call Manager button: a refusal shows in the drawer (the call's own frame
// shows what did change).
async function manage(action, data) {
  $("manager-error").hidden = true;
  try {
    await act(action, data);
  } catch (error) {
    if (!(error instanceof ActionFailed)) throw error;
    $("manager-error").textContent = format(S.failed, { reason: error.message });
    $("manager-error").hidden = false;
  }
}

// Hang up ----------------------------------------------------------------

// The choices follow the call while the dialog is open: a hold that another
// page's frame brings a moment later changes them.
function renderHangupChoices() {
  const caller = callerOf();
  const otherStaff = call.participants.filter((p) => !p.is_caller && p.id !== me).length;
  const alone = !otherStaff && !call.on_hold && caller;
  const shown = otherStaff ? ["leave", "end"] : alone ? ["hold", "wait", "end"] : ["leave", "end"];
  for (const b of document.querySelectorAll("#hangup-dialog [data-choice]")) b.hidden = !shown.includes(b.dataset.choice);
  $("hangup-text").textContent = otherStaff
    ? S.others_stay
    : alone
      ? format(S.caller_alone, { name: caller.name })
      : caller
        ? format(S.caller_held_alone, { name: caller.name })
        : "";
}

$("hangup").addEventListener("click", () => {
  renderHangupChoices();
  $("hangup-error").hidden = true;
  showDialog($("hangup-dialog"));
});

for (const b of document.querySelectorAll("#hangup-dialog [data-choice]")) {
  b.addEventListener("click", async () => {
    const choice = b.dataset.choice;
    try {
      if (choice === "end") await act("end");
      else await act("leave", choice === "leave" ? {} : { then: choice });
      leave();
    } catch (error) {
      $("hangup-error").textContent = format(S.failed, { reason: error.message });
      $("hangup-error").hidden = false;
    }
  });
}

bindCloseButtons();

bindMediaButtons(media, $("mute"), $("camera"), S);

// Participant changes, told to screen readers (the tiles only show them) -----

function announceChanges(before, after) {
  if (!before || !after.open) return;
  const was = new Map(before.participants.map((p) => [p.id, p]));
  const now = new Set(after.participants.map((p) => p.id));
  const said = [];
  for (const p of after.participants) if (!was.has(p.id) && p.id !== me) said.push(format(S.joined, { name: p.name }));
  for (const p of before.participants) if (!now.has(p.id)) said.push(format(S.left_call, { name: p.name }));
  const caller = after.participants.find((p) => p.is_caller);
  if (caller && before.on_hold !== after.on_hold) said.push(format(after.on_hold ? S.held : S.resumed, { name: caller.name }));
  if (said.length) $("call-events").textContent = said.join(" ");
}

// The caller's thread, beside the video: new messages are appended --------

const staffThread = new StaffThread($("thread"), S);
let threadCount = null;

async function loadThread() {
  try {
    staffThread.show(await getJson(page.thread, { background: true }), dateAndTime);
  } catch {
    // the next change of the caller's card loads it again
  }
}

$("reply-body").maxLength = page.limits.body_max;
$("reply-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = $("reply-body").value.trim();
  if (!body) return;
  $("reply-error").hidden = true;
  try {
    await postJson(page.notify, { caller_ids: [page.caller_id], body, client_id: clientId() }, { retries: 2 });
    $("reply-body").value = "";
    loadThread();
  } catch (error) {
    $("reply-error").textContent = format(S.send_failed, { reason: error.message });
    $("reply-error").hidden = false;
  }
});
sendOnEnter($("reply-body"), $("reply-form"));

// The waiting area beside the call (static/calls/waiting_list.js): the
// caller's own card says when their thread grew.
new WaitingList({
  url: page.waiting,
  strings: S,
  onCard: (card) => {
    if (card.id !== page.caller_id || card.message_count === threadCount) return;
    threadCount = card.message_count;
    loadThread();
  },
});
loadThread();

// Screen sharing ---------------------------------------------------------

let screen = null;

async function startSharing() {
  try {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    screen = stream.getVideoTracks()[0];
  } catch (error) {
    if (error.name !== "NotAllowedError") {
      $("media-error").textContent = format(S.share_failed, { reason: error.message || error.name });
      $("media-error").hidden = false;
    }
    return;
  }
  // The browser's own "Stop sharing" ends the track: the camera comes back.
  screen.addEventListener("ended", stopSharing);
  mesh?.shareVideo(screen);
  $("local-video").srcObject = new MediaStream([screen]);
  $("share").setAttribute("aria-pressed", "true");
  $("share").textContent = S.stop_sharing;
  $("sharing").hidden = false;
}

async function stopSharing() {
  if (!screen) return;
  screen.removeEventListener("ended", stopSharing);
  screen.stop();
  screen = null;
  mesh?.shareVideo(null);
  $("local-video").srcObject = await media;
  $("share").setAttribute("aria-pressed", "false");
  $("share").textContent = S.share_screen;
  $("sharing").hidden = true;
}

$("share").addEventListener("click", () => (screen ? stopSharing() : startSharing()));
media.then((stream) => {
  // Sharing replaces the camera's video: without a camera there is nothing to replace.
  $("share").hidden = !navigator.mediaDevices?.getDisplayMedia || !stream?.getVideoTracks().length;
});
