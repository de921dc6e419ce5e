import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * The objects of `dist/<environment>/` as written (every stage folder), for tools that read the committed output
 * (`npm run flows`). Not imported by the synth, which has its objects in memory.
 */
export function readEnvironmentObjects(distDir: string, environment: string): unknown[] {
  const dir = join(distDir, environment);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .flatMap((file) => parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((document) => document.toJS()));
}
