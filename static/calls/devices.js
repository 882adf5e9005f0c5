// The caller's camera, microphone and speaker: which ones they chose (kept for
// the visit in sessionStorage), opening them, and what went wrong in words a
// patient can act on. The device check (devicecheck.js) and the call on the
// caller's page (static/waiting/wait.js) both open media through here.

const KEY = "waitroom.devices";

export function chosen() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY)) || {};
  } catch {
    return {};
  }
}

export function choose(kind, deviceId) {
  const devices = { ...chosen(), [kind]: deviceId || undefined };
  try {
    sessionStorage.setItem(KEY, JSON.stringify(devices));
  } catch {
    // Private mode with storage off: the choice lasts as long as the page.
  }
}

// "exact" (browsers take "ideal" as a mere hint); a chosen device that is gone
// (unplugged) is forgotten and the browser's default taken (openMedia).
function constraint(deviceId, extra = {}) {
  return deviceId ? { ...extra, deviceId: { exact: deviceId } } : Object.keys(extra).length ? extra : true;
}

// What a getUserMedia error means for the device: the value the clinic sees
// (waiting.models.DeviceState).
export function stateOf(error) {
  switch (error?.name) {
    case "NotAllowedError":
    case "PermissionDeniedError":
    case "SecurityError":
      return "blocked";
    case "NotFoundError":
    case "DevicesNotFoundError":
    case "OverconstrainedError":
      return "missing";
    case "NotReadableError":
    case "TrackStartError":
    case "AbortError":
      return "in_use";
    default:
      return "blocked";
  }
}

async function open(constraints) {
  try {
    return { stream: await navigator.mediaDevices.getUserMedia(constraints) };
  } catch (error) {
    return { error };
  }
}

// Camera and microphone as chosen. Returns {stream, camera, microphone}: each
// device "ready" or what stopped it; the stream holds what could be opened
// (null if nothing). When both together fail, each is tried alone, so that a
// blocked camera still leaves the microphone (and says which one failed).
export async function openMedia({ facingMode } = {}) {
  if (!navigator.mediaDevices?.getUserMedia) return { stream: null, camera: "missing", microphone: "missing" };
  const found = await openChosen(facingMode);
  const devices = chosen();
  if ((devices.camera && found.camera === "missing") || (devices.microphone && found.microphone === "missing")) {
    if (found.camera === "missing") choose("camera", null);
    if (found.microphone === "missing") choose("microphone", null);
    found.stream?.getTracks().forEach((t) => t.stop());
    return openChosen(facingMode);
  }
  return found;
}

async function openChosen(facingMode) {
  const devices = chosen();
  const video = constraint(facingMode ? null : devices.camera, facingMode ? { facingMode } : {});
  const audio = constraint(devices.microphone);
  const both = await open({ video, audio });
  if (both.stream) return { stream: both.stream, camera: "ready", microphone: "ready" };
  const [cam, mic] = [await open({ video }), await open({ audio })];
  const tracks = [cam, mic].flatMap((r) => (r.stream ? r.stream.getTracks() : []));
  return {
    stream: tracks.length ? new MediaStream(tracks) : null,
    camera: cam.stream ? "ready" : stateOf(cam.error || both.error),
    microphone: mic.stream ? "ready" : stateOf(mic.error || both.error),
  };
}

export async function listDevices() {
  try {
    return await navigator.mediaDevices.enumerateDevices();
  } catch {
    return [];
  }
}

export function canChooseSpeaker() {
  return typeof HTMLMediaElement !== "undefined" && "setSinkId" in HTMLMediaElement.prototype;
}

// Where the remote voices are played (Chrome, Edge, Firefox; Safari cannot).
export function playOnChosenSpeaker(element) {
  const speaker = chosen().speaker;
  if (speaker && element.setSinkId) element.setSinkId(speaker).catch(() => {});
}

// The browser the caller uses, for the short hint on how to allow the camera.
export function browser() {
  const ua = navigator.userAgent;
  if (/iPhone|iPad|iPod/.test(ua)) return "iphone";
  if (/Edg\//.test(ua)) return "edge";
  if (/Firefox\//.test(ua)) return "firefox";
  if (/Chrome\//.test(ua)) return "chrome";
  if (/Safari\//.test(ua)) return "safari";
  return "other";
}
