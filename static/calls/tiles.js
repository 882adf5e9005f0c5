// The video tiles of a call: one per remote participant, with their name, the
// connection's quality (text and icon) and "Reconnecting…" while it is down.

const QUALITY_ICONS = { good: "▂▄▆", fair: "▂▄", poor: "▂" };

export class VideoTiles {
  // S: the page's strings (quality_*, reconnecting); onBlocked(): the browser
  // would not start a video without a tap; onPlaying(): a remote video plays;
  // prepare(video): e.g. choose the speaker it plays on.
  constructor(stage, { S = {}, onBlocked = () => {}, onPlaying = () => {}, prepare = () => {} } = {}) {
    this.stage = stage;
    this.tiles = new Map();
    this.S = S;
    this.onBlocked = onBlocked;
    this.onPlaying = onPlaying;
    this.prepare = prepare;
    this.reconnecting = new Set(); // peers whose tile says so, with a video or not yet
  }

  show(id, stream, name) {
    const tile = this.tile(id);
    const video = tile.querySelector("video");
    if (video.srcObject !== stream) {
      video.srcObject = stream;
      this.play(video);
    }
    this.rename(id, name);
  }

  tile(id) {
    let tile = this.tiles.get(id);
    if (!tile) {
      tile = document.createElement("figure");
      tile.className = "tile remote";
      tile.dataset.peer = id;
      const video = document.createElement("video");
      video.autoplay = true;
      video.playsInline = true;
      video.addEventListener("playing", () => this.onPlaying());
      this.prepare(video);
      const caption = document.createElement("figcaption");
      const quality = document.createElement("p");
      quality.className = "quality";
      quality.hidden = true;
      const state = document.createElement("p");
      state.className = "tile-state";
      state.setAttribute("role", "status");
      tile.append(video, caption, quality, state);
      this.stage.append(tile);
      this.tiles.set(id, tile);
      this.setReconnecting(id, this.reconnecting.has(id));
    }
    return tile;
  }

  // Autoplay with sound may need a tap first: the page then offers one button.
  play(video) {
    const playing = video.play();
    if (playing) playing.catch((error) => error.name === "NotAllowedError" && this.onBlocked());
  }

  playAll() {
    for (const tile of this.tiles.values()) this.play(tile.querySelector("video"));
  }

  setQuality(id, level) {
    const label = this.tiles.get(id)?.querySelector(".quality");
    if (!label) return;
    label.hidden = !level;
    label.dataset.quality = level || "";
    label.replaceChildren();
    if (!level) return;
    const icon = document.createElement("span");
    icon.className = "bars";
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = QUALITY_ICONS[level];
    label.append(icon, " ", this.S[`quality_${level}`] || level);
  }

  // A participant still in the call whose connection is down: their tile
  // (made now if their video never came) says so until they are back.
  setReconnecting(id, reconnecting) {
    if (reconnecting) this.reconnecting.add(id);
    else this.reconnecting.delete(id);
    const tile = reconnecting ? this.tile(id) : this.tiles.get(id);
    if (!tile) return;
    tile.classList.toggle("reconnecting", reconnecting);
    tile.querySelector(".tile-state").textContent = reconnecting ? this.S.reconnecting || "…" : "";
    if (reconnecting) this.setQuality(id, null);
  }

  rename(id, name) {
    const tile = this.tiles.get(id);
    if (!tile || !name) return;
    tile.querySelector("figcaption").textContent = name;
    tile.querySelector("video").setAttribute("aria-label", name);
  }

  setHeld(id, held) {
    for (const [peer, tile] of this.tiles) tile.classList.toggle("held", held && peer === id);
  }

  remove(id) {
    if (this.reconnecting.has(id)) return; // still in the call: the tile waits for them
    this.tiles.get(id)?.remove();
    this.tiles.delete(id);
  }

  // Only these are in the call: the others' tiles go, whatever their state.
  retain(ids) {
    for (const id of [...this.tiles.keys(), ...this.reconnecting]) {
      if (ids.includes(id)) continue;
      this.reconnecting.delete(id);
      this.remove(id);
    }
  }
}

// A participant's name in the newest call state: a video may arrive before or
// after the frame that names who sent it.
export function participantName(call, id) {
  return call?.participants.find((p) => p.id === id)?.name || "";
}

// The microphone and camera buttons of a call screen.
export function bindMediaButtons(media, muteButton, cameraButton, S) {
  media.then((stream) => {
    cameraButton.disabled = !stream || !stream.getVideoTracks().length;
    muteButton.disabled = !stream || !stream.getAudioTracks().length;
  });
  const toggle = async (kind, button, onLabel, offLabel) => {
    const stream = await media;
    if (!stream) return;
    const off = button.getAttribute("aria-pressed") !== "true";
    for (const track of stream[kind]()) track.enabled = !off;
    button.setAttribute("aria-pressed", String(off));
    (button.querySelector(".label") || button).textContent = off ? offLabel : onLabel;
  };
  muteButton.addEventListener("click", () => toggle("getAudioTracks", muteButton, S.mute, S.unmute));
  cameraButton.addEventListener("click", () => toggle("getVideoTracks", cameraButton, S.camera_off, S.camera_on));
}
