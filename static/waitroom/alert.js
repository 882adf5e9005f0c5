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

// One ring of an incoming call (a telephone's double ring: two 0.4 s bursts of
// 400 + 450 Hz). Returns false when the browser keeps the sound off until the
// page is touched.
export function ring() {
  const ctx = audio();
  if (!ctx) return false;
  if (ctx.state !== "running") ctx.resume();
  const start = ctx.currentTime + 0.01;
  for (const offset of [0, 0.6]) {
    const gain = ctx.createGain();
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.03);
    gain.gain.setValueAtTime(0.25, start + offset + 0.37);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.4);
    gain.connect(ctx.destination);
    for (const frequency of [400, 450]) {
      const tone = ctx.createOscillator();
      tone.frequency.value = frequency;
      tone.connect(gain);
      tone.start(start + offset);
      tone.stop(start + offset + 0.41);
    }
  }
  return ctx.state === "running";
}

// A short test tone for the device check, played on `element` (an <audio>)
// so that it comes out of the speaker the caller chose (setSinkId).
export async function testTone(element) {
  const ctx = audio();
  if (!ctx) return false;
  await ctx.resume();
  const out = ctx.createMediaStreamDestination();
  const start = ctx.currentTime + 0.01;
  [523, 659, 784].forEach((frequency, i) => {
    const tone = ctx.createOscillator();
    const gain = ctx.createGain();
    tone.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + i * 0.3);
    gain.gain.exponentialRampToValueAtTime(0.3, start + i * 0.3 + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.3 + 0.28);
    tone.connect(gain).connect(out);
    tone.start(start + i * 0.3);
    tone.stop(start + i * 0.3 + 0.29);
  });
  element.srcObject = out.stream;
  try {
    await element.play();
  } catch {
    return false;
  }
  return true;
}

// A microphone's level, 0…1, read every 100 ms into `onLevel` until the
// returned stop() is called.
export function levelOf(stream, onLevel) {
  const ctx = audio();
  if (!ctx || !stream.getAudioTracks().length) return () => {};
  ctx.resume();
  const source = ctx.createMediaStreamSource(stream);
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const s of samples) sum += s * s;
    onLevel(Math.min(1, Math.sqrt(sum / samples.length) * 4));
  }, 100);
  return () => {
    clearInterval(timer);
    source.disconnect();
  };
}
