// A call as a mesh of WebRTC peer connections: one to every other participant.
// Each pair negotiates with the "perfect negotiation" pattern (MDN): both sides
// may offer at once; the polite side (the higher participant id) yields.
// Signals travel over the page's websocket; the server only checks and passes them.

// A connection whose ICE has not even started checking this long after its
// last offer or answer is stuck: it is replaced (see Peer.watchIce).
const ICE_PATIENCE_MS = 5000;

const SESSION = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");
let connections = 0; // each connection's signals carry `${SESSION}.${n}`

export class Mesh {
  constructor({ me, iceServers, send, onStream, onGone, onState = () => {} }) {
    this.me = me;
    this.iceServers = iceServers;
    this.sendSignal = send; // (to, signal) => void
    this.onStream = onStream; // (peerId, MediaStream) => void
    this.onGone = onGone; // (peerId) => void
    this.onState = onState; // (peerId, iceConnectionState) => void
    this.peers = new Map();
    this.stream = null;
    this.paused = new Set(); // peer ids we send nothing to (hold)
    this.allPaused = false; // we send nothing to anyone (we are on hold)
  }

  setLocalStream(stream) {
    this.stream = stream;
    for (const peer of this.peers.values()) peer.addLocalTracks();
  }

  // Screen sharing: every peer gets this video track instead of the camera's
  // (replaceTrack: no new negotiation); null gives them the camera again.
  shareVideo(track) {
    this.screen = track;
    for (const peer of this.peers.values()) peer.applyPause();
  }

  // The call's participants changed: connect to those online, drop the rest.
  update(participants) {
    const online = new Set(participants.filter((p) => p.online && p.id !== this.me).map((p) => p.id));
    for (const id of [...this.peers.keys()]) if (!online.has(id)) this.drop(id);
    for (const id of online) if (!this.peers.has(id)) this.peers.set(id, new Peer(this, id));
  }

  async receive(from, signal) {
    let peer = this.peers.get(from);
    if (peer && peer.staleSession && signal.session === peer.staleSession) return;
    // An offer from a new connection of that participant (a new page load, or
    // a connection it started afresh): its old connection is dead.
    if (peer && peer.remoteSession && signal.session !== peer.remoteSession && signal.kind === "offer") {
      this.drop(from);
      peer = null;
    }
    if (!peer) {
      peer = new Peer(this, from);
      this.peers.set(from, peer);
    }
    await peer.receive(signal);
  }

  // Hold: send nothing to these peers (or to everyone with null), until resumed.
  pause(ids, paused) {
    if (ids === null) this.allPaused = paused;
    for (const id of ids ?? []) {
      if (paused) this.paused.add(id);
      else this.paused.delete(id);
    }
    for (const peer of this.peers.values()) peer.applyPause();
  }

  // Start the connection to this peer afresh (the other side follows: it
  // sees an offer from a new connection).
  renew(peer) {
    if (this.peers.get(peer.id) !== peer) return;
    this.drop(peer.id);
    const fresh = new Peer(this, peer.id);
    fresh.staleSession = peer.remoteSession; // late answers and candidates of the old pair
    this.peers.set(peer.id, fresh);
  }

  drop(id) {
    this.peers.get(id)?.close();
    this.peers.delete(id);
    this.onGone(id);
  }

  close() {
    for (const id of [...this.peers.keys()]) this.drop(id);
  }
}

class Peer {
  constructor(mesh, id) {
    this.mesh = mesh;
    this.id = id;
    this.polite = mesh.me > id;
    this.session = `${SESSION}.${++connections}`;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.remoteSession = null;
    this.staleSession = null;
    this.senders = [];
    const pc = new RTCPeerConnection({ iceServers: mesh.iceServers });
    this.pc = pc;
    pc.onnegotiationneeded = async () => {
      try {
        this.makingOffer = true;
        await pc.setLocalDescription();
        this.send({ kind: pc.localDescription.type, sdp: pc.localDescription.sdp });
      } catch (error) {
        console.warn("offer failed", error);
      } finally {
        this.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => this.send({ kind: "candidate", candidate: candidate ? candidate.toJSON() : null });
    pc.ontrack = ({ track, streams }) => {
      const stream = streams[0] || new MediaStream([track]);
      mesh.onStream(id, stream);
    };
    pc.oniceconnectionstatechange = () => {
      mesh.onState(id, pc.iceConnectionState);
      if (pc.iceConnectionState === "failed") pc.restartIce();
    };
    pc.onsignalingstatechange = () => this.watchIce();
    this.addLocalTracks();
  }

  // ICE that never starts leaves a black tile for good. Seen in Chromium when
  // both sides offer at once: the polite side rolls back its offer and may
  // then gather no candidate at all, even after an ICE restart; and a signal
  // sent while the other page's socket was reconnecting is lost (an answer:
  // the offer waits forever). So when ICE has not started checking a while
  // after the last offer or answer, the impolite side — one side only, so
  // that two renewals cannot collide — replaces the connection; the other
  // side sees an offer from a new connection and replaces its own too.
  watchIce() {
    clearTimeout(this.iceTimer);
    if (this.polite) return;
    this.iceTimer = setTimeout(() => {
      const pc = this.pc;
      if (pc.signalingState !== "closed" && pc.iceConnectionState === "new") {
        console.warn("ICE did not start: connecting afresh");
        this.mesh.renew(this);
      }
    }, ICE_PATIENCE_MS);
  }

  addLocalTracks() {
    const stream = this.mesh.stream;
    if (!stream || this.senders.length) return;
    for (const track of stream.getTracks()) this.senders.push({ sender: this.pc.addTrack(track, stream), track });
    this.applyPause();
  }

  applyPause() {
    const paused = this.mesh.allPaused || this.mesh.paused.has(this.id);
    for (const { sender, track } of this.senders) {
      const wanted = paused ? null : (track.kind === "video" && this.mesh.screen) || track;
      if (sender.track !== wanted) sender.replaceTrack(wanted).catch(() => {});
    }
  }

  send(signal) {
    this.mesh.sendSignal(this.id, { ...signal, session: this.session });
  }

  // Signals are handled one after another: a candidate must not overtake the
  // offer it belongs to.
  receive(signal) {
    this.queue = (this.queue || Promise.resolve()).then(() => this.handle(signal));
    return this.queue;
  }

  async handle(signal) {
    const pc = this.pc;
    this.remoteSession ||= signal.session;
    try {
      if (signal.kind === "offer" || signal.kind === "answer") {
        const collision = signal.kind === "offer" && (this.makingOffer || pc.signalingState !== "stable");
        this.ignoreOffer = !this.polite && collision;
        if (this.ignoreOffer) return;
        await pc.setRemoteDescription({ type: signal.kind, sdp: signal.sdp });
        if (signal.kind === "offer") {
          await pc.setLocalDescription();
          this.send({ kind: "answer", sdp: pc.localDescription.sdp });
        }
      } else if (signal.kind === "candidate") {
        try {
          await pc.addIceCandidate(signal.candidate);
        } catch (error) {
          if (!this.ignoreOffer) throw error;
        }
      }
    } catch (error) {
      console.warn("signal failed", signal.kind, error);
    }
  }

  close() {
    clearTimeout(this.iceTimer);
    this.pc.close();
  }
}

export async function localMedia() {
  // Camera and microphone; failing that the microphone; failing that nothing
  // (the person can still see and hear the others).
  for (const constraints of [{ audio: true, video: true }, { audio: true }]) {
    try {
      return await navigator.mediaDevices.getUserMedia(constraints);
    } catch (error) {
      console.warn("getUserMedia", constraints, error.name);
    }
  }
  return null;
}
