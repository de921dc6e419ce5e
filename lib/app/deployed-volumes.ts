/**
 * The data volume sizes in the dist/ a synth is about to replace (the committed output, unless someone edited it),
 * so that the volume rules can refuse a shrink (lib/rules/volume.ts). Read without a YAML parser: dist/ is this app's
 * own output (lib/app/yaml-output.ts), where each `postgresql` object is alone in
 * `<env>/database/<cluster>.k8s.yaml` and its volume is `  volume:` followed by `    size: <quantity>`; a file
 * that does not look so is skipped (test/platform-rules.test.ts reads a written dist/ back).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeployedVolume } from '../rules/volume';

const VOLUME_SIZE = /^kind: postgresql$[\s\S]*?^ {2}volume:\n(?: {4}.*\n)*? {4}size: ("?)([^"\n]+)\1$/m;

/** The deployed volume of every cluster under `distDir`, by `<environment>/<cluster>`. */
export function deployedVolumes(distDir: string): ReadonlyMap<string, DeployedVolume> {
  const volumes = new Map<string, DeployedVolume>();
  if (!existsSync(distDir)) return volumes;
  for (const environment of readdirSync(distDir)) {
    const folder = join(distDir, environment, 'database');
    if (!existsSync(folder)) continue;
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.k8s.yaml'))) {
      const size = VOLUME_SIZE.exec(readFileSync(join(folder, file), 'utf8'))?.[2];
      if (size !== undefined) volumes.set(`${environment}/${file.slice(0, -'.k8s.yaml'.length)}`, { size, file: join(folder, file) });
    }
  }
  return volumes;
}
