// The audible alert: two short tones made with Web Audio (no sound file).
// Browsers start audio only after the person has touched the page; until then
// `blocked()` is true and the page offers a button to turn sound on.

let context;

function audio() {
  if (!context) {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    context = new Context();
  }
  return context;
}

export function blocked() {
  const ctx = audio();
  return !ctx || ctx.state !== "running";
}

export async function unlock() {
  const ctx = audio();
  if (ctx && ctx.state !== "running") await ctx.resume();
  return !blocked();
}

// Any touch of the page lets the browser play the alert later: unlock then,
// and tell the page (`then(ok)`), which may stop offering its sound button.
export function unlockOnFirstTouch(then) {
  for (const type of ["pointerdown", "keydown"]) {
    document.addEventListener(type, () => unlock().then(then), { once: true });
  }
}

export function chime() {
  const ctx = audio();
  if (!ctx) return;
  if (ctx.state !== "running") ctx.resume();
  const start = ctx.currentTime + 0.01;
  [880, 1320].forEach((frequency, i) => {
    const tone = ctx.createOscillator();
    const gain = ctx.createGain();
    tone.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + i * 0.18);
    gain.gain.exponentialRampToValueAtTime(0.3, start + i * 0.18 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.18 + 0.16);
    tone.connect(gain).connect(ctx.destination);
    tone.start(start + i * 0.18);
    tone.stop(start + i * 0.18 + 0.17);
  });
}
