import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { connectivityMatrices, networkDocument } from './analysis/flow-matrix';
import { EnvironmentConfig } from './config';

/** The objects of `dist/<environment>/` as written (every stage folder). */
export function readEnvironmentObjects(distDir: string, environment: string): unknown[] {
  const dir = join(distDir, environment);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .flatMap((file) => parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((document) => document.toJS()));
}

/** Writes docs/network.md (the flows of every environment) from each environment's synthesized objects. */
export function writeNetworkDocs(environments: readonly EnvironmentConfig[], objects: Readonly<Record<string, readonly unknown[]>>, file: string): void {
  const matrices = environments.flatMap((environment) => connectivityMatrices(environment, objects[environment.name]));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, networkDocument(matrices));
  renameSync(`${file}.tmp`, file);
}
