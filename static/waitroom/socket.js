// A websocket that stays connected: heartbeats both ways, reconnects with
// jittered exponential backoff, and stops for good on the server's "no" codes.
// The page says what to do on each frame; the server decides what is true.

// 4401: not signed in, or the sign-in ended (signed out, idle, expired...):
// reconnecting could only be refused again; the page goes to the sign-in.
// 4404: no visit / not a member; 4409: replaced by a newer page.
const STOP_CODES = new Set([4401, 4404, 4409]);
// 4503: the server is busy opening other pages ("try again in N s"): come
// back after N seconds and up to half as long again, so that the pages it
// turned away do not all return in the same second.
export const TRY_LATER = 4503;

// Milliseconds before reconnecting after a close with this code and reason.
export function reconnectDelay(code, reason, attempt, random = Math.random) {
  if (code === TRY_LATER) {
    const seconds = Number((/(\d+)/.exec(reason || "") || [])[1]) || 5;
    return seconds * 1000 * (1 + random() / 2);
  }
  // Full jitter: a thousand pages cut off together do not return together.
  return random() * Math.min(15000, 500 * 2 ** attempt);
}

export class LiveSocket {
  constructor({ url, onFrame, onOpen = () => {}, onDown = () => {}, onStop = () => {} }) {
    this.url = url; // a function: the address may change (e.g. ?after=N)
    this.onFrame = onFrame;
    this.onOpen = onOpen;
    this.onDown = onDown;
    this.onStop = onStop;
    this.attempt = 0;
    this.stopped = false;
    // Back on the network: do not wait out the backoff.
    window.addEventListener("online", () => {
      if (this.retry) {
        clearTimeout(this.retry);
        this.retry = null;
        this.connect();
      }
    });
    this.connect();
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}${this.url()}`);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.lastFrame = Date.now();
      this.onOpen();
    };
    ws.onmessage = (e) => {
      this.lastFrame = Date.now();
      let frame;
      try {
        frame = JSON.parse(e.data);
      } catch {
        return;
      }
      // How often to beat is the server's setting, sent in its first frame.
      if (frame.heartbeat_seconds) this.startHeartbeat(frame.heartbeat_seconds);
      if (frame.type !== "heartbeat") this.onFrame(frame);
    };
    ws.onclose = (e) => {
      clearInterval(this.timer);
      if (this.ws !== ws) return;
      if (STOP_CODES.has(e.code)) {
        this.stopped = true;
        this.onStop(e.code);
        return;
      }
      this.onDown();
      this.retry = setTimeout(() => {
        this.retry = null;
        this.connect();
      }, reconnectDelay(e.code, e.reason, this.attempt++));
    };
  }

  startHeartbeat(seconds) {
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      // A connection that has gone quiet on a dead network never closes by
      // itself: after three missed answers, drop it and reconnect.
      if (Date.now() - this.lastFrame > 3 * seconds * 1000) {
        this.ws.close();
        this.ws.onclose({ code: 1006 });
        return;
      }
      this.send({ type: "heartbeat" });
    }, seconds * 1000);
  }

  get isOpen() {
    return this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  send(frame) {
    if (!this.isOpen) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  restart() {
    this.stopped = false;
    this.attempt = 0;
    this.connect();
  }
}

// A send's own id, made by the page: a send tried again (after a lost answer,
// over the socket or over HTTP) is stored once.
export function clientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
