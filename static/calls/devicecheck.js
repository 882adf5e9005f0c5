// The device check on the caller's waiting page, before any call: a preview of
// the camera, the microphone's level, a test sound, the choice of camera,
// microphone and speaker (kept for the visit), and help in the caller's
// language when something is blocked, missing or in use. Optional: closing it
// stops the camera and microphone (no camera light left on).
import { levelOf, testTone } from "../waitroom/alert.js";
import { $ } from "../waitroom/page.js";
import { browser, canChooseSpeaker, choose, chosen, listDevices, openMedia, playOnChosenSpeaker } from "./devices.js";

export class DeviceCheck {
  // report(camera, microphone): tell the clinic what was found.
  constructor(S, report) {
    this.S = S;
    this.report = report;
    this.stream = null;
    this.stopLevel = () => {};
    this.dialog = $("device-check");
    this.opener = null;
    $("device-check-open").addEventListener("click", () => this.open());
    this.dialog.addEventListener("close", () => this.stop());
    for (const kind of ["camera", "microphone"]) {
      $(`${kind}-select`).addEventListener("change", (event) => {
        choose(kind, event.target.value);
        this.start();
      });
    }
    $("speaker-select").addEventListener("change", (event) => {
      choose("speaker", event.target.value);
      playOnChosenSpeaker($("test-sound-player"));
    });
    $("test-sound").addEventListener("click", async () => {
      playOnChosenSpeaker($("test-sound-player"));
      const played = await testTone($("test-sound-player"));
      $("test-sound-result").textContent = played ? S.sound_played : S.sound_failed;
    });
    $("device-check-retry").addEventListener("click", () => this.start());
    this.offerNotifications();
    // Ready: offered where the browser can open a camera at all (and not once the visit has ended).
    const entry = document.querySelector(".device-check-entry");
    entry.hidden = !navigator.mediaDevices?.getUserMedia || $("state").dataset.state === "ended";
  }

  async open() {
    this.opener = document.activeElement;
    this.dialog.showModal();
    await this.start();
  }

  async start() {
    this.stop();
    const S = this.S;
    $("device-check").dataset.checking = "true";
    const { stream, camera, microphone } = await openMedia();
    if (!this.dialog.open) {
      stream?.getTracks().forEach((t) => t.stop()); // closed while the browser asked
      return;
    }
    this.stream = stream;
    $("preview").srcObject = stream && stream.getVideoTracks().length ? stream : null;
    $("preview").hidden = camera !== "ready";
    this.stopLevel = stream ? levelOf(stream, (level) => ($("level").value = level)) : () => {};
    $("camera-state").textContent = `${ICONS[camera]} ${S[`camera_${camera}`]}`;
    $("camera-state").dataset.state = camera;
    $("microphone-state").textContent = `${ICONS[microphone]} ${S[`microphone_${microphone}`]}`;
    $("microphone-state").dataset.state = microphone;
    this.showHelp(camera, microphone);
    await this.fillChoices();
    delete $("device-check").dataset.checking;
    this.report(camera, microphone);
  }

  showHelp(camera, microphone) {
    const S = this.S;
    const problems = new Set([camera, microphone].filter((s) => s !== "ready"));
    const lines = [];
    if (problems.has("blocked")) lines.push(S.help_blocked, S[`hint_${browser()}`]);
    if (problems.has("missing")) lines.push(S.help_missing);
    if (problems.has("in_use")) lines.push(S.help_in_use);
    const help = $("device-help");
    help.replaceChildren(
      ...lines.map((text) => {
        const p = document.createElement("p");
        p.textContent = text;
        return p;
      }),
    );
    help.hidden = !lines.length;
    $("device-check-retry").hidden = !lines.length;
  }

  async fillChoices() {
    const devices = await listDevices();
    const current = chosen();
    const fill = (kind, deviceKind, active) => {
      const select = $(`${kind}-select`);
      const options = devices.filter((d) => d.kind === deviceKind && d.deviceId);
      select.replaceChildren(
        ...options.map((d, i) => {
          const option = document.createElement("option");
          option.value = d.deviceId;
          option.textContent = d.label || `${this.S[kind]} ${i + 1}`;
          return option;
        }),
      );
      const wanted = active || current[kind];
      if (wanted && options.some((d) => d.deviceId === wanted)) select.value = wanted;
      select.closest(".choice").hidden = options.length < 1;
    };
    const track = (kind) => this.stream?.[kind]()[0]?.getSettings().deviceId;
    fill("camera", "videoinput", track("getVideoTracks"));
    fill("microphone", "audioinput", track("getAudioTracks"));
    fill("speaker", "audiooutput");
    if (!canChooseSpeaker()) $("speaker-select").closest(".choice").hidden = true;
  }

  // Asking may only follow the caller's own tap: a button, offered where the
  // browser can notify and has not been told yet.
  offerNotifications() {
    const button = $("notify-me");
    button.hidden = !("Notification" in window) || Notification.permission !== "default";
    button.addEventListener("click", async () => {
      const answer = await Notification.requestPermission();
      button.hidden = true;
      $("notify-result").textContent = answer === "granted" ? this.S.notify_granted : this.S.notify_denied;
    });
  }

  stop() {
    this.stopLevel();
    this.stopLevel = () => {};
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    $("preview").srcObject = null;
    $("level").value = 0;
    if (!this.dialog.open && this.opener?.isConnected) {
      this.opener.focus();
      this.opener = null;
    }
  }
}

const ICONS = { ready: "✓", blocked: "⊘", missing: "✕", in_use: "⚠" };
