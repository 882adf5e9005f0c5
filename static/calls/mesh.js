// A call as a mesh of WebRTC peer connections: one to every other participant.
// Each pair negotiates with the "perfect negotiation" pattern (MDN): both sides
// may offer at once; the polite side (the higher participant id) yields.
// Signals travel over the page's websocket; the server only checks and passes them.
// Each connection is watched (docs/calls.md, "The connection, told honestly"):
// its quality every 2 s (quality.js), and when it drops — the other page's
// network gone, or ICE disconnected — the page says "Reconnecting…" and the
// connection is restarted (an ICE restart: a new offer with fresh ICE
// credentials) rather than given up.
import { EVERY_MS, sample } from "./quality.js";

// A connection whose ICE has not even started checking this long after its
// last offer or answer is stuck: it is replaced (see Peer.watchIce).
const ICE_PATIENCE_MS = 5000;
// A disconnected connection often recovers by itself within a second or two
// (a Wi-Fi hiccup); after this long it is restarted. And restarts are spaced.
const DISCONNECTED_PATIENCE_MS = 2500;
const RESTART_SPACING_MS = 4000;

const SESSION = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");
let connections = 0; // each connection's signals carry `${SESSION}.${n}`

export class Mesh {
  constructor({
    me,
    iceServers,
    send,
    onStream,
    onGone,
    onState = () => {},
    onQuality = () => {},
    onReconnecting = () => {},
  }) {
    this.me = me;
    this.iceServers = iceServers;
    this.sendSignal = send; // (to, signal) => void
    this.onStream = onStream; // (peerId, MediaStream) => void
    this.onGone = onGone; // (peerId) => void
    this.onState = onState; // (peerId, iceConnectionState) => void
    this.onQuality = onQuality; // (peerId, "good" | "fair" | "poor") => void
    this.onReconnecting = onReconnecting; // (peerId, boolean) => void
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

  // The call's participants changed: connect to those online, drop those who
  // left the call. One whose page is away (network lost, tab closed) is still
  // in the call: their tile stays and says "Reconnecting…" until they are back
  // or leave; back, a connection that dropped meanwhile is restarted.
  update(participants) {
    const others = participants.filter((p) => p.id !== this.me);
    const inCall = new Set(others.map((p) => p.id));
    for (const id of [...this.peers.keys()]) if (!inCall.has(id)) this.drop(id);
    for (const p of others) {
      const peer = this.peers.get(p.id);
      if (!p.online) peer?.setAway(true);
      else if (!peer) this.peers.set(p.id, new Peer(this, p.id));
      else {
        peer.setAway(false);
        peer.restart();
      }
    }
  }

  async receive(from, signal) {
    let peer = this.peers.get(from);
    // Our side of the connection was closed under us (the browser dropped it):
    // start afresh; the other side replaces its own when our offer comes.
    if (peer && peer.pc.signalingState === "closed") {
      this.renew(peer);
      return;
    }
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

  // A track of ours was replaced (another camera): every peer sends the new one.
  replaceTrack(old, track) {
    for (const peer of this.peers.values()) {
      for (const entry of peer.senders) if (entry.track === old) entry.track = track;
      peer.applyPause();
    }
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
    this.away = false; // their page is gone from the call for now
    this.reconnecting = null; // unknown: the first ICE state is told (a renewed connection clears the old one's)
    this.restartedAt = 0;
    this.counts = undefined; // packet counts of the last quality sample
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
      const state = pc.iceConnectionState;
      mesh.onState(id, state);
      clearTimeout(this.restartTimer);
      if (state === "failed") this.restart();
      if (state === "disconnected") this.restartTimer = setTimeout(() => this.restart(), DISCONNECTED_PATIENCE_MS);
      this.tellReconnecting();
    };
    pc.onsignalingstatechange = () => this.watchIce();
    this.qualityTimer = setInterval(() => this.measure(), EVERY_MS);
    this.addLocalTracks();
  }

  setAway(away) {
    this.away = away;
    this.tellReconnecting();
  }

  tellReconnecting() {
    const state = this.pc.iceConnectionState;
    const reconnecting = this.away || state === "disconnected" || state === "failed";
    if (reconnecting !== this.reconnecting) {
      this.reconnecting = reconnecting;
      if (reconnecting) this.quality = null; // told afresh once back
      this.mesh.onReconnecting(this.id, reconnecting);
    }
  }

  // An ICE restart: setLocalDescription then makes an offer with fresh ICE
  // credentials (createOffer({iceRestart: true})), sent through the usual
  // negotiation; both sides may do it, perfect negotiation settles a collision.
  restart() {
    const pc = this.pc;
    if (pc.signalingState === "closed" || this.away) return;
    if (!["disconnected", "failed"].includes(pc.iceConnectionState)) return;
    if (Date.now() - this.restartedAt < RESTART_SPACING_MS) {
      clearTimeout(this.restartTimer);
      this.restartTimer = setTimeout(() => this.restart(), RESTART_SPACING_MS);
      return;
    }
    this.restartedAt = Date.now();
    pc.restartIce();
  }

  async measure() {
    if (this.pc.signalingState === "closed") return;
    try {
      const { level, counts } = await sample(this.pc, this.counts);
      this.counts = counts;
      if (level && !this.reconnecting && level !== this.quality) {
        this.quality = level;
        this.mesh.onQuality(this.id, level);
      }
    } catch (error) {
      console.warn("getStats", error);
    }
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
      if (pc.signalingState !== "closed" && pc.iceConnectionState === "new" && !this.away) {
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
    clearTimeout(this.restartTimer);
    clearInterval(this.qualityTimer);
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
