/**
 * `npm run rehearse -- --docs`: writes one timeline per round (docs/high-availability/<env>-<scenario>.svg) and the
 * measured section of docs/high-availability.md, between its `rehearsal:start` and `rehearsal:end` markers.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { RehearsalResults, reportLines } from './report';
import { timelineSvg } from './timeline-svg';

export const DOC = join('docs', 'high-availability.md');
export const PICTURES = join('docs', 'high-availability');
const START = '<!-- rehearsal:start -->';
const END = '<!-- rehearsal:end -->';

/** The measured section: the table, the verdicts and the pictures. */
export function measuredSection(all: readonly RehearsalResults[], when: string): string {
  const lines = [
    START,
    `Measured by \`npm run rehearse -- --docs\` on ${when}.`,
    '',
    ...reportLines(all),
    '',
  ];
  for (const results of all) {
    lines.push(`Rehearsal of ${results.environment}/${results.cluster}: ${results.seconds.toFixed(0)} s` +
      (results.bootstrapSeconds === undefined ? '' : ` (the cluster bootstrapped in ${results.bootstrapSeconds.toFixed(0)} s).`));
    lines.push('');
    for (const round of results.rounds ?? []) {
      lines.push(`![${results.environment} ${round.scenario}](high-availability/${pictureName(results, round.scenario)})`);
      lines.push('');
    }
  }
  lines.push(END);
  return lines.join('\n');
}

export function pictureName(results: RehearsalResults, scenario: string): string {
  return `${results.environment}-${results.cluster}-${scenario}.svg`;
}

export function writeDocs(root: string, all: readonly RehearsalResults[]): void {
  mkdirSync(join(root, PICTURES), { recursive: true });
  for (const results of all) {
    for (const round of results.rounds ?? []) {
      writeFileSync(join(root, PICTURES, pictureName(results, round.scenario)), timelineSvg(`${results.environment}/${results.cluster}`, results.timings, round));
    }
  }
  const file = join(root, DOC);
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${DOC} has no ${START} ... ${END} section to write the measurements into`);
  const load = loadavg().map((value) => value.toFixed(2)).join(', ');
  const when = `${new Date().toISOString().slice(0, 10)} (load average ${load} at the end; 2 cores shared with other work)`;
  writeFileSync(file, text.slice(0, start) + measuredSection(all, when) + text.slice(end + END.length));
  console.log(`wrote ${DOC} and ${PICTURES}/`);
}
