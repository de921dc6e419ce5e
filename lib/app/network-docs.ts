import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { connectivityMatrices, networkDocument } from '../analysis/flow-matrix';
import { EnvironmentConfig } from '../model/environment';

/** Writes docs/network.md (the flows of every environment) from each environment's synthesized objects. */
export function writeNetworkDocs(environments: readonly EnvironmentConfig[], objects: Readonly<Record<string, readonly unknown[]>>, file: string): void {
  const matrices = environments.flatMap((environment) => connectivityMatrices(environment, objects[environment.name]));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, networkDocument(matrices, environments));
  renameSync(`${file}.tmp`, file);
}
