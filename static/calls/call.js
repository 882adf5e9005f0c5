// A team member's call screen: the videos, the Call Manager drawer (duration,
// current participants, Hold / Resume / Disconnect) and Hang up.
import { ActionFailed, postJson } from "../waitroom/http.js";
import { $, bindCloseButtons, format, pageData, signInAgain } from "../waitroom/page.js";
import { LiveSocket } from "../waitroom/socket.js";
import { clock } from "../waitroom/time.js";
import { Mesh, localMedia } from "./mesh.js";
import { VideoTiles, bindMediaButtons, participantName } from "./tiles.js";

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
    }
    applyCall(frame.call);
  } else if (frame.type === "call") {
    applyCall(frame.call);
  } else if (frame.type === "signal" && mesh) {
    mesh.receive(frame.from, frame.signal);
  }
}

function applyCall(next) {
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
  $("hangup-dialog").showModal();
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
