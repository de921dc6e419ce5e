/**
 * One round of the rehearsal as a picture: acknowledged writes per second around the event, the longest gap
 * shaded, and the measured moments (kill, lock expiry, first write on the new leader, healed) as vertical lines.
 * Drawn from the measurements only, so a reviewer sees it change when the settings change.
 */
import { EffectiveTimings } from './patroni-config';
import { RoundResults } from './report';

const WIDTH = 760;
const HEIGHT = 250;
const LEFT = 48;
const RIGHT = 16;
const TOP = 60;
const BOTTOM = 34;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fixed = (value: number) => (Math.round(value * 10) / 10).toString();

export function timelineSvg(label: string, timings: EffectiveTimings, round: RoundResults): string {
  const { startSeconds, bucketSeconds, writesPerBucket } = round.timeline;
  const endSeconds = startSeconds + writesPerBucket.length * bucketSeconds;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const x = (seconds: number) => LEFT + ((seconds - startSeconds) / (endSeconds - startSeconds)) * plotWidth;
  const rates = writesPerBucket.map((count) => count / bucketSeconds);
  const top = Math.max(10, Math.ceil(Math.max(...rates) / 50) * 50);
  const y = (rate: number) => TOP + plotHeight - (rate / top) * plotHeight;
  const parts: string[] = [];
  parts.push(`<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  parts.push(`<text x="${LEFT}" y="16" font-size="13" font-weight="bold">${escape(`${label} ${round.scenario}`)}</text>`);
  const measured =
    `write outage ${round.largestGapSeconds === null ? '-' : `${fixed(round.largestGapSeconds)} s`}, ` +
    `${round.acknowledgedLost} of ${round.acknowledgedTotal} acknowledged writes lost, healed after ${round.healSeconds === null ? 'never' : `${fixed(round.healSeconds)} s`}`;
  parts.push(`<text x="${LEFT}" y="32" font-size="11">${escape(measured)}</text>`);
  const settings = `ttl ${timings.ttl} s, loop_wait ${timings.loopWait} s, retry_timeout ${timings.retryTimeout} s, synchronous_mode_strict ${timings.synchronousModeStrict}` +
    (round.kubernetesWorstCaseSeconds === undefined ? '' : `; worst case on the Kubernetes DCS ${fixed(round.kubernetesWorstCaseSeconds)} s`);
  parts.push(`<text x="${LEFT}" y="47" font-size="11" fill="#444444">${escape(settings)}</text>`);
  // Outage: the longest gap between two acknowledged writes.
  const outage = outageSpan(round);
  if (outage !== undefined) {
    parts.push(`<rect x="${fixed(x(outage.from))}" y="${TOP}" width="${fixed(Math.max(1, x(outage.to) - x(outage.from)))}" height="${plotHeight}" fill="#fde2e2"/>`);
  }
  // Axes and grid.
  for (const rate of [0, top / 2, top]) {
    parts.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${fixed(y(rate))}" y2="${fixed(y(rate))}" stroke="#dddddd"/>`);
    parts.push(`<text x="${LEFT - 4}" y="${fixed(y(rate) + 4)}" font-size="10" text-anchor="end">${rate}</text>`);
  }
  parts.push(`<text x="12" y="${TOP + plotHeight / 2}" font-size="10" transform="rotate(-90 12 ${TOP + plotHeight / 2})" text-anchor="middle">writes/s</text>`);
  const step = endSeconds - startSeconds > 60 ? 10 : 5;
  for (let second = Math.ceil(startSeconds / step) * step; second <= endSeconds; second += step) {
    parts.push(`<line x1="${fixed(x(second))}" x2="${fixed(x(second))}" y1="${TOP + plotHeight}" y2="${TOP + plotHeight + 4}" stroke="#000000"/>`);
    parts.push(`<text x="${fixed(x(second))}" y="${TOP + plotHeight + 16}" font-size="10" text-anchor="middle">${second} s</text>`);
  }
  // Writes per second.
  const barWidth = Math.max(1, plotWidth / writesPerBucket.length - 0.5);
  rates.forEach((rate, index) => {
    if (rate === 0) return;
    const left = x(startSeconds + index * bucketSeconds);
    parts.push(`<rect x="${fixed(left)}" y="${fixed(y(rate))}" width="${fixed(barWidth)}" height="${fixed(TOP + plotHeight - y(rate))}" fill="#3b7dd8"/>`);
  });
  // The measured moments.
  const moments = [...round.events.map((event) => ({ what: event.what, at: event.at }))];
  if (round.healSeconds !== null) moments.push({ what: 'healed (1 sync + 1 async)', at: round.healSeconds });
  moments
    .filter((moment) => moment.at >= startSeconds && moment.at <= endSeconds)
    .sort((a, b) => a.at - b.at)
    .forEach((moment, index) => {
      const left = x(moment.at);
      parts.push(`<line x1="${fixed(left)}" x2="${fixed(left)}" y1="${TOP}" y2="${TOP + plotHeight}" stroke="#b00020" stroke-dasharray="3,2"/>`);
      const text = `${moment.what} ${fixed(moment.at)} s`;
      const anchor = left + 3 + text.length * 5.6 > WIDTH - RIGHT ? 'end' : 'start';
      parts.push(`<text x="${fixed(left + (anchor === 'start' ? 3 : -3))}" y="${TOP + 11 + (index % 5) * 12}" font-size="10" fill="#b00020" text-anchor="${anchor}">` +
        `${escape(text)}</text>`);
    });
  parts.push(`<text x="${WIDTH - RIGHT}" y="${HEIGHT - 4}" font-size="10" text-anchor="end" fill="#444444">seconds from the event; shaded: longest time without an acknowledged write</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">\n${parts.map((part) => `  ${part}`).join('\n')}\n</svg>\n`;
}

/** Where the longest gap between acknowledged writes is, from the buckets (start of the first empty bucket run). */
function outageSpan(round: RoundResults): { from: number; to: number } | undefined {
  const { startSeconds, bucketSeconds, writesPerBucket } = round.timeline;
  let best: { from: number; to: number } | undefined;
  let runStart: number | undefined;
  writesPerBucket.forEach((count, index) => {
    if (count === 0 && runStart === undefined) runStart = index;
    if ((count > 0 || index === writesPerBucket.length - 1) && runStart !== undefined) {
      const end = count > 0 ? index : index + 1;
      const span = { from: startSeconds + runStart * bucketSeconds, to: startSeconds + end * bucketSeconds };
      if (best === undefined || span.to - span.from > best.to - best.from) best = span;
      runStart = undefined;
    }
  });
  return best;
}
