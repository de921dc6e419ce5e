/** Every generated module in imports/ is used by the app: an import nothing uses is dead code every reviewer reads past. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const appSources = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => readFileSync(join(ROOT, dir, file), 'utf8'));
const sources = [...appSources('lib'), readFileSync(join(ROOT, 'main.ts'), 'utf8')];

test.each(readdirSync(join(ROOT, 'imports')).map((file) => file.replace(/\.ts$/, '')))('imports/%s.ts is imported by the app', (module) => {
  expect(sources.some((source) => source.includes(`imports/${module}'`))).toBe(true);
});
