// A clinic's waiting area, live: one card per caller in arrival order, a status
// filter, notify one / notify the callers shown, and each caller's thread.
import { blocked, chime, unlock, unlockOnFirstTouch } from "../waitroom/alert.js";
import { getJson, postJson } from "../waitroom/http.js";
import { $, bindCloseButtons, format, pageData, sendOnEnter, signInAgain } from "../waitroom/page.js";
import { LiveSocket, clientId } from "../waitroom/socket.js";
import { bindMenuKeys, showDialog } from "../waitroom/dialogs.js";
import { renderStatus, statusLine } from "../waitroom/status.js";
import { StaffThread } from "../waitroom/thread.js";
import { dateAndTime, timeOfDay, waited } from "../waitroom/time.js";

const page = pageData();
const S = page.strings;
const LIMITS = page.limits; // the server's rules, never written here
const STATUSES = ["waiting", "being_seen", "on_hold", "offline"];
const LONG_WAIT_MS = LIMITS.long_wait_minutes * 60 * 1000;

const cards = new Map(); // caller id -> the newest card the server sent
const elements = new Map(); // caller id -> its <li>
let skew = 0;
let unseen = 0;
const baseTitle = document.title;

new LiveSocket({
  url: () => page.socket,
  onFrame,
  onOpen: () => ($("connection").hidden = true),
  onDown: () => ($("connection").hidden = false),
  // Signed out, or the sign-in ended elsewhere (4401): to the sign-in, and back
  // here after. No longer a member (4404): the server's page says so.
  onStop: (code) => (code === 4401 ? signInAgain() : location.reload()),
});

function onFrame(frame) {
  if (frame.type === "snapshot") {
    skew = Date.parse(frame.now) - Date.now();
    // A fresh snapshot is the truth: drop what it no longer has.
    const ids = new Set(frame.cards.map((c) => c.id));
    for (const id of [...cards.keys()]) if (!ids.has(id)) removeCard(id);
    for (const card of frame.cards) applyCard(card, { quiet: true });
    applyClinic(frame.clinic, { quiet: true });
    refresh();
  } else if (frame.type === "clinic") {
    applyClinic(frame.clinic, { quiet: false });
  } else if (frame.type === "callers") {
    for (const card of frame.cards) applyCard(card, { quiet: false });
    refresh();
  } else if (frame.type === "counts") {
    // The clinic wrote to these callers: their badges, nothing else, changed.
    for (const [id, version, count] of frame.counts) {
      const old = cards.get(id);
      if (old) {
        applyCard(
          { ...old, version, message_count: count, last_message_from: frame.sender, last_message_at: frame.at },
          { quiet: false },
        );
      }
    }
    refresh();
  } else if (frame.type === "receipts") {
    const receipt = frame.receipts.find((r) => r.caller_id === thread.callerId);
    if (receipt) staffThread.receipts(receipt.delivered_seq, receipt.seen_seq);
  }
}

// Cards --------------------------------------------------------------------

function applyCard(card, { quiet }) {
  const old = cards.get(card.id);
  if (old && old.version >= card.version) return; // an older event arriving late
  if (!card.present) {
    if (old) {
      removeCard(card.id);
      if (!quiet) announce(format(S.left, { name: card.name }));
    }
    return;
  }
  cards.set(card.id, card);
  let li = elements.get(card.id);
  if (!li) {
    li = newCardElement(card.id);
    elements.set(card.id, li);
    placeInArrivalOrder(li, card);
    if (!quiet) alertStaff(format(S.arrived, { name: card.name }));
  }
  if (!quiet && old && card.message_count > old.message_count && card.last_message_from === "caller") {
    alertStaff(format(S.wrote, { name: card.name }));
  }
  renderCard(li, card);
  if (thread.callerId === card.id && (!old || old.message_count !== card.message_count)) {
    loadThread({ background: true }); // the page's own doing: not activity (docs/sessions.md)
  }
}

function removeCard(id) {
  elements.get(id)?.remove();
  elements.delete(id);
  cards.delete(id);
  if (thread.callerId === id) $("thread-dialog").close();
}

function arrivalKey(card) {
  return [Date.parse(card.arrived_at), card.id];
}

function placeInArrivalOrder(li, card) {
  const list = $("callers");
  const [t, id] = arrivalKey(card);
  // New arrivals are nearly always last: walk from the end.
  let next = null;
  for (let el = list.lastElementChild; el; el = el.previousElementSibling) {
    const [ot, oid] = arrivalKey(cards.get(Number(el.dataset.id)));
    if (ot < t || (ot === t && oid < id)) break;
    next = el;
  }
  list.insertBefore(li, next);
}

function newCardElement(id) {
  const li = $("card-template").content.firstElementChild.cloneNode(true);
  li.dataset.id = id;
  li.querySelector(".status-line").replaceWith(statusLine());
  const dots = li.querySelector(".dots");
  const menu = li.querySelector(".menu");
  dots.addEventListener("click", () => toggleMenu(dots, menu));
  bindMenuKeys(dots, menu, closeMenus);
  li.querySelector('[data-action="notify"]').textContent = S.notify;
  li.querySelector('.menu [data-action="thread"]').textContent = S.messages;
  li.querySelector('[data-action="remove"]').textContent = S.remove;
  li.querySelector('[data-action="activity"]').textContent = S.activity;
  const transfer = li.querySelector('[data-action="transfer"]');
  transfer.textContent = S.transfer;
  transfer.parentElement.hidden = !page.other_clinics.length;
  li.querySelector(".join").textContent = S.join;
  li.querySelector('.menu [data-action="join"]').textContent = S.join;
  li.addEventListener("click", (event) => {
    const action = event.target.closest("[data-action]")?.dataset.action;
    if (!action) return;
    // From the menu, focus goes back to its button: the item is hidden now,
    // and the dialog it opens gives focus back to what had it.
    if (event.target.closest(".menu")) dots.focus();
    closeMenus();
    const card = cards.get(id);
    if (action === "notify") openNotify([card]);
    if (action === "thread") openThread(card);
    if (action === "remove") removeCaller(card);
    if (action === "join") join(card);
    if (action === "activity") openActivity(card);
    if (action === "transfer") openTransfer(card);
  });
  return li;
}

const DEVICE_ICONS = { ready: "✓", blocked: "⊘", missing: "✕", in_use: "⚠" };

function renderCard(li, card) {
  li.className = `card status-${card.status}`;
  li.classList.toggle("long-wait", card.status === "waiting" && waitedMs(card) > LONG_WAIT_MS);
  li.querySelector(".name").textContent = card.name;
  renderStatus(li.querySelector(".status-line"), S, card, Date.now() + skew);
  li.querySelector(".dots").setAttribute("aria-label", format(S.actions_for, { name: card.name }));
  const joinButton = li.querySelector(".join");
  joinButton.hidden = card.status === "offline";
  li.querySelector('.menu [data-action="join"]').parentElement.hidden = card.status === "offline";
  joinButton.setAttribute("aria-label", format(S.join_named, { name: card.name }));
  const transferItem = li.querySelector('[data-action="transfer"]').parentElement;
  transferItem.hidden = !page.other_clinics.length || !["waiting", "on_hold"].includes(card.status);
  // Being seen: the status line says by whom and how long; the wait is over.
  li.querySelector(".waited").textContent =
    card.status === "being_seen" ? "" : format(S.waited, { time: waited(S, waitedMs(card)) });
  const appointment = li.querySelector(".appointment");
  appointment.hidden = !card.appointment_at;
  appointment.textContent = card.appointment_at ? format(S.appointment, { time: appointmentTime(card.appointment_at) }) : "";
  const fields = li.querySelector(".fields");
  fields.replaceChildren();
  for (const [label, value] of [
    [S.phone, card.phone],
    [S.date_of_birth, card.date_of_birth && new Date(card.date_of_birth).toLocaleDateString([], { timeZone: "UTC" })],
    [page.extra_label, card.extra_answer],
  ]) {
    if (!value) continue;
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value;
    fields.append(dt, dd);
  }
  // What the caller's device check found (nothing until their page reports).
  for (const [label, state] of [[S.camera, card.camera], [S.microphone, card.microphone]]) {
    if (!state || state === "unknown") continue;
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.className = `device device-${state}`;
    const icon = document.createElement("span");
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = DEVICE_ICONS[state];
    dd.append(icon, " ", S[`device_${state}`]);
    fields.append(dt, dd);
  }
  const badge = li.querySelector(".badge");
  badge.hidden = card.message_count === 0;
  if (card.message_count) {
    const from = card.last_message_from === "caller" ? "caller" : "clinic";
    badge.textContent = card.message_count;
    badge.className = `badge from-${from}`;
    const key = `badge_${card.message_count === 1 ? "one" : "many"}_${from}`;
    badge.setAttribute("aria-label", format(S[key], { n: card.message_count }));
  }
}

// "10:30" in the clinic's time zone; a day other than today is named too.
function appointmentTime(iso) {
  const at = new Date(iso);
  const lang = document.documentElement.lang;
  const zone = { timeZone: page.time_zone };
  const day = (d) => d.toLocaleDateString(lang, zone);
  const time = at.toLocaleTimeString(lang, { ...zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  if (day(at) === day(new Date(Date.now() + skew))) return time;
  return `${at.toLocaleDateString(lang, { ...zone, day: "numeric", month: "short" })} ${time}`;
}

function waitedMs(card) {
  return Date.now() + skew - Date.parse(card.arrived_at);
}

setInterval(() => {
  for (const [id, li] of elements) renderCard(li, cards.get(id));
}, 15000);

// Filter and counts -------------------------------------------------------

function shownStatuses() {
  return new Set([...document.querySelectorAll('input[name="status"]:checked')].map((i) => i.value));
}

function isShown(card, statuses = shownStatuses()) {
  return statuses.has(card.status) && (!$("awaiting-reply").checked || card.last_message_from === "caller");
}

function refresh() {
  const statuses = shownStatuses();
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  let awaiting = 0;
  let shown = 0;
  for (const [id, card] of cards) {
    counts[card.status] += 1;
    if (card.last_message_from === "caller") awaiting += 1;
    const visible = isShown(card, statuses);
    elements.get(id).hidden = !visible;
    if (visible) shown += 1;
  }
  for (const s of STATUSES) document.querySelector(`[data-count="${s}"]`).textContent = counts[s];
  document.querySelector('[data-count="awaiting"]').textContent = awaiting;
  $("empty").textContent = cards.size === 0 ? S.no_callers : shown === 0 ? S.no_callers_shown : "";
}

document.querySelector(".filters").addEventListener("change", refresh);

// Menus -------------------------------------------------------------------

function toggleMenu(button, menu) {
  const open = menu.hidden;
  closeMenus();
  menu.hidden = !open;
  button.setAttribute("aria-expanded", String(open));
  if (open) menu.querySelector("button").focus();
}

function closeMenus() {
  for (const menu of document.querySelectorAll(".menu")) menu.hidden = true;
  for (const dots of document.querySelectorAll(".dots")) dots.setAttribute("aria-expanded", "false");
}

document.addEventListener("click", (event) => {
  if (!event.target.closest(".menu-wrap")) closeMenus();
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") closeMenus();
});

// Sending -----------------------------------------------------------------

// A message is sent with the same client_id on each try: stored once, so a
// send whose answer was lost may be tried again.
function sendMessage(callerIds, body, id) {
  return postJson(page.notify, { caller_ids: callerIds, body, client_id: id }, { retries: 2 });
}

// A quick reply to many is filled in by the server for each caller: the page
// names the quick reply, never sends a text it filled itself.
function sendQuickReply(callerIds, quickReply, id) {
  return postJson(page.notify, { caller_ids: callerIds, quick_reply: quickReply, client_id: id }, { retries: 2 });
}

// Quick replies -----------------------------------------------------------

const PICKERS = [$("notify-quick"), $("reply-quick")];

// The clinic's list, fresh each time a dialog opens (an admin may just have added one).
async function loadQuickReplies() {
  let replies;
  try {
    replies = (await getJson(page.quick_replies, { background: true })).quick_replies;
  } catch {
    return; // the picker stays as it was; typing still works
  }
  for (const select of PICKERS) {
    const chosen = select.value;
    select.replaceChildren(new Option(S.own_text, ""), ...replies.map((r) => new Option(r.title, String(r.id))));
    select.value = replies.some((r) => String(r.id) === chosen) ? chosen : "";
    select.closest(".quick-pick").hidden = !replies.length;
  }
}

// The quick reply as it will be sent to this caller: filled in, in their language.
async function filledFor(replyId, callerId) {
  const url = `${page.quick_reply_preview.replace("/0/", `/${replyId}/`)}?caller=${encodeURIComponent(callerId)}`;
  return (await getJson(url)).text;
}

for (const field of [$("notify-body"), $("reply-body")]) field.maxLength = LIMITS.body_max;

const notify = { ids: [] };

function openNotify(recipients) {
  notify.ids = recipients.map((c) => c.id);
  notify.clientId = clientId();
  const single = recipients.length === 1 && !notify.many;
  $("notify-title").textContent = single ? format(S.notify_one_title, { name: recipients[0].name }) : S.notify_many_title;
  $("notify-reach").textContent = single ? "" : reach(recipients);
  $("notify-form").querySelector("button.send").disabled = !recipients.length;
  notify.names = recipients.map((c) => c.name);
  $("notify-error").hidden = true;
  $("notify-quick").value = "";
  useOwnText();
  showDialog($("notify-dialog"));
  $("notify-body").focus();
  loadQuickReplies();
}

function useOwnText() {
  notify.quickReply = null;
  $("notify-preview").hidden = true;
  $("notify-body").hidden = $("notify-body").disabled = false;
  $("notify-body").value = "";
}

$("notify-quick").addEventListener("change", async () => {
  const chosen = $("notify-quick").value;
  const ids = notify.ids;
  useOwnText();
  $("notify-error").hidden = true;
  if (!chosen || !ids.length) return;
  let text;
  try {
    text = await filledFor(chosen, ids[0]);
  } catch (error) {
    $("notify-error").textContent = format(S.preview_failed, { reason: error.message });
    $("notify-error").hidden = false;
    return;
  }
  if ($("notify-quick").value !== chosen || notify.ids !== ids) return; // chosen again meanwhile
  if (ids.length === 1) {
    // One caller: the text is theirs already; the team member may still change it.
    $("notify-body").value = text;
    return;
  }
  notify.quickReply = Number(chosen);
  $("notify-body").hidden = $("notify-body").disabled = true;
  $("notify-preview").querySelector(".text").textContent = text;
  $("notify-preview").querySelector(".note").textContent = format(S.preview_many, { name: notify.names[0] });
  $("notify-preview").hidden = false;
});

function reach(recipients) {
  if (!recipients.length) return S.reach_none;
  const per = STATUSES.map((s) => [s, recipients.filter((c) => c.status === s).length])
    .filter(([, n]) => n)
    .map(([s, n]) => `${n} ${S[`status_${s}`]}`)
    .join(", ");
  return format(recipients.length === 1 ? S.reach_one : S.reach_many, { n: recipients.length, detail: per });
}

$("notify-many").addEventListener("click", () => {
  notify.many = true;
  openNotify([...cards.values()].filter((c) => isShown(c)));
  notify.many = false;
});

$("notify-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = $("notify-body").value.trim();
  if ((!body && !notify.quickReply) || !notify.ids.length) return;
  try {
    if (notify.quickReply) await sendQuickReply(notify.ids, notify.quickReply, notify.clientId);
    else await sendMessage(notify.ids, body, notify.clientId);
    $("notify-dialog").close();
  } catch (error) {
    $("notify-error").textContent = format(S.send_failed, { reason: error.message });
    $("notify-error").hidden = false;
  }
});

sendOnEnter($("notify-body"), $("notify-form"));

async function removeCaller(card) {
  if (!confirm(format(S.remove_confirm, { name: card.name }))) return;
  await postJson(page.remove.replace("/0/", `/${card.id}/`)).catch(showActionError);
}

// Join, activity, transfer ------------------------------------------------

function showActionError(error) {
  $("action-error").textContent = format(S.failed, { reason: error.message });
  $("action-error").hidden = false;
  setTimeout(() => ($("action-error").hidden = true), 8000);
}

// Join on a colleague's call says who is in it and asks first.
const joining = { card: null };

function join(card) {
  const others = (card.seen_by || []).filter((s) => s.id !== page.me);
  if (!others.length) return joinNow(card);
  joining.card = card;
  $("join-title").textContent = format(S.join_title, { name: card.name });
  $("join-text").textContent = format(S.join_colleague, {
    names: others.map((s) => s.name).join(", "),
    name: card.name,
  });
  showDialog($("join-dialog"));
}

$("join-confirm").addEventListener("click", () => {
  $("join-dialog").close();
  joinNow(joining.card);
});

async function joinNow(card) {
  try {
    const answer = await postJson(page.join.replace("/0/", `/${card.id}/`));
    location.href = answer.url;
  } catch (error) {
    showActionError(error);
  }
}

async function openActivity(card) {
  $("activity-title").textContent = format(S.activity_title, { name: card.name });
  $("activity").replaceChildren();
  showDialog($("activity-dialog"));
  let data;
  try {
    data = await getJson(page.activity.replace("/0/", `/${card.id}/`));
  } catch (error) {
    return showActionError(error);
  }
  $("activity").replaceChildren(
    ...data.events.map((e) => {
      const li = document.createElement("li");
      const at = document.createElement("time");
      at.dateTime = e.at;
      at.textContent = timeOfDay(e.at);
      li.append(at, ` ${e.what}`);
      if (e.who) li.append(` – ${e.who}`);
      return li;
    }),
  );
}

const transferring = { id: null };

function openTransfer(card) {
  transferring.id = card.id;
  $("transfer-title").textContent = format(S.transfer_title, { name: card.name });
  $("transfer-clinic").replaceChildren(
    ...page.other_clinics.map((c) => {
      const option = document.createElement("option");
      option.value = c.slug;
      option.textContent = c.name;
      return option;
    }),
  );
  $("transfer-error").hidden = true;
  showDialog($("transfer-dialog"));
}

$("transfer-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await postJson(page.transfer.replace("/0/", `/${transferring.id}/`), { clinic: $("transfer-clinic").value });
    $("transfer-dialog").close();
  } catch (error) {
    $("transfer-error").textContent = format(S.failed, { reason: error.message });
    $("transfer-error").hidden = false;
  }
});

// Pause the waiting area ------------------------------------------------------
// Every member's dashboard shows the pause as the server announces it
// (clinic.changed), whoever pressed the switch.

let paused = null;
for (const id of ["pause-message-en", "pause-message-de"]) $(id).maxLength = page.pause.max;

function applyClinic(clinic, { quiet }) {
  if (!clinic || clinic.paused === paused) return;
  const before = paused;
  paused = clinic.paused;
  $("paused").hidden = !paused;
  $("pause").hidden = paused;
  if (!quiet && before !== null) announce(paused ? S.paused : S.resumed);
}

$("pause").addEventListener("click", () => {
  $("pause-message-en").value = page.pause.message.en;
  $("pause-message-de").value = page.pause.message.de;
  $("pause-error").hidden = true;
  showDialog($("pause-dialog"));
});

$("pause-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const message = { en: $("pause-message-en").value, de: $("pause-message-de").value };
  try {
    await postJson(page.pause.url, { message_en: message.en, message_de: message.de });
    page.pause.message = message;
    $("pause-dialog").close();
  } catch (error) {
    $("pause-error").textContent = format(S.failed, { reason: error.message });
    $("pause-error").hidden = false;
  }
});

$("resume").addEventListener("click", () => postJson(page.pause.resume).catch(showActionError));

// The thread --------------------------------------------------------------

const thread = { callerId: null };
const staffThread = new StaffThread($("thread"), S);

function openThread(card) {
  thread.callerId = card.id;
  $("thread-title").textContent = `${S.messages} – ${card.name}`;
  staffThread.clear();
  $("reply-error").hidden = true;
  $("reply-quick").value = "";
  showDialog($("thread-dialog"));
  loadThread();
  $("reply-body").focus();
  loadQuickReplies();
}

$("reply-quick").addEventListener("change", async () => {
  const chosen = $("reply-quick").value;
  const id = thread.callerId;
  $("reply-error").hidden = true;
  if (!chosen) return;
  try {
    const text = await filledFor(chosen, id);
    if (thread.callerId === id && $("reply-quick").value === chosen) $("reply-body").value = text;
  } catch (error) {
    $("reply-error").textContent = format(S.preview_failed, { reason: error.message });
    $("reply-error").hidden = false;
  }
});

async function loadThread({ background = false } = {}) {
  const id = thread.callerId;
  let data;
  try {
    data = await getJson(page.thread.replace("/0/", `/${id}/`), { background });
  } catch {
    return; // the next change of the thread loads it again
  }
  if (thread.callerId !== id) return;
  staffThread.show(data, dateAndTime); // new messages appended, nothing redrawn
}

$("reply-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = $("reply-body").value.trim();
  if (!body) return;
  $("reply-error").hidden = true;
  try {
    await sendMessage([thread.callerId], body, clientId());
    $("reply-body").value = "";
    $("reply-quick").value = "";
  } catch (error) {
    $("reply-error").textContent = format(S.send_failed, { reason: error.message });
    $("reply-error").hidden = false;
  }
});

sendOnEnter($("reply-body"), $("reply-form"));

$("thread-dialog").addEventListener("close", () => (thread.callerId = null));
bindCloseButtons();

// Alerts for staff --------------------------------------------------------

function announce(text) {
  $("announcer").textContent = text;
}

function alertStaff(text) {
  announce(text);
  chime();
  if (document.hidden) {
    unseen += 1;
    document.title = `${format(S.new_activity, { n: unseen })} – ${baseTitle}`;
    if ("Notification" in window && Notification.permission === "granted") new Notification(text);
  }
}

document.addEventListener("visibilitychange", () => {
  if (!document.hidden) {
    unseen = 0;
    document.title = baseTitle;
  }
});

// Sound needs a touch of the page first; desktop notifications need a yes.
function offerAlerts() {
  const wanted = blocked() || ("Notification" in window && Notification.permission === "default");
  $("alerts-on").hidden = !wanted;
}

$("alerts-on").addEventListener("click", async () => {
  await unlock();
  if ("Notification" in window && Notification.permission === "default") await Notification.requestPermission();
  offerAlerts();
});
unlockOnFirstTouch(offerAlerts);
setTimeout(offerAlerts, 500);
