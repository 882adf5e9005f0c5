// A connection's quality from WebRTC statistics, every 2 s (docs/calls.md):
// round-trip time of the candidate pair in use, and the share of packets lost
// of those that should have arrived (audio and video, since the last sample).
//
//   good: round trip under 300 ms and under 3 % lost
//   fair: round trip under 700 ms and under 10 % lost
//   poor: anything worse
// A sample with nothing to judge (no pair yet, nothing received: on hold) says
// nothing, and the last grade stays.

export const EVERY_MS = 2000;
export const LIMITS = {
  good: { rtt: 0.3, loss: 0.03 },
  fair: { rtt: 0.7, loss: 0.1 },
};

export function grade(rtt, loss) {
  if (rtt === null && loss === null) return null;
  const within = ({ rtt: r, loss: l }) => (rtt === null || rtt < r) && (loss === null || loss < l);
  if (within(LIMITS.good)) return "good";
  if (within(LIMITS.fair)) return "fair";
  return "poor";
}

// Reads the statistics once; `before` is the previous sample's packet counts.
export async function sample(pc, before = { lost: 0, received: 0 }) {
  const stats = await pc.getStats();
  let pairId = null;
  let lost = 0;
  let received = 0;
  const pairs = [];
  stats.forEach((report) => {
    if (report.type === "transport" && report.selectedCandidatePairId) pairId = report.selectedCandidatePairId;
    if (report.type === "candidate-pair") pairs.push(report);
    if (report.type === "inbound-rtp") {
      lost += Math.max(0, report.packetsLost || 0);
      received += report.packetsReceived || 0;
    }
  });
  const pair = (pairId && stats.get(pairId)) || pairs.find((p) => p.nominated && p.state === "succeeded");
  const rtt = typeof pair?.currentRoundTripTime === "number" ? pair.currentRoundTripTime : null;
  const newLost = lost - before.lost;
  const newReceived = received - before.received;
  const loss = newLost + newReceived > 0 ? newLost / (newLost + newReceived) : null;
  return { rtt, loss, level: grade(rtt, loss), counts: { lost, received } };
}
