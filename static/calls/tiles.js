// The video tiles of a call: one per remote participant, with their name.

export class VideoTiles {
  constructor(stage) {
    this.stage = stage;
    this.tiles = new Map();
  }

  show(id, stream, name) {
    let tile = this.tiles.get(id);
    if (!tile) {
      tile = document.createElement("figure");
      tile.className = "tile remote";
      tile.dataset.peer = id;
      const video = document.createElement("video");
      video.autoplay = true;
      video.playsInline = true;
      const caption = document.createElement("figcaption");
      tile.append(video, caption);
      this.stage.append(tile);
      this.tiles.set(id, tile);
    }
    const video = tile.querySelector("video");
    if (video.srcObject !== stream) video.srcObject = stream;
    this.rename(id, name);
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
    this.tiles.get(id)?.remove();
    this.tiles.delete(id);
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
    button.textContent = off ? offLabel : onLabel;
  };
  muteButton.addEventListener("click", () => toggle("getAudioTracks", muteButton, S.mute, S.unmute));
  cameraButton.addEventListener("click", () => toggle("getVideoTracks", cameraButton, S.camera_off, S.camera_on));
}
