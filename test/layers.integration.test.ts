/**
 * The layering of lib/ is checked by dependency-cruiser in `npm test` (.dependency-cruiser.cjs). This proves the check
 * can fail: in a copy of the project, an upward import, cdk8s in the model, an import circle and lib/config.ts
 * importing a construct are each reported by the rule they break.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendToConfiguration, copyProject } from './util';

const ROOT = join(__dirname, '..');

test('dependency-cruiser reports upward imports, cdk8s in the model, circles and a config that imports constructs', () => {
  const project = copyProject('jsdb-layers-');
  try {
    writeFileSync(join(project, 'lib', 'model', 'upward.ts'), "import { PostgresCluster } from '../constructs/postgres-cluster';\nexport const upward = PostgresCluster;\n");
    writeFileSync(join(project, 'lib', 'model', 'with-cdk8s.ts'), "import { Chart } from 'cdk8s';\nexport const chart = Chart;\n");
    writeFileSync(join(project, 'lib', 'rules', 'circle-a.ts'), "import { b } from './circle-b';\nexport const a = () => b;\n");
    writeFileSync(join(project, 'lib', 'rules', 'circle-b.ts'), "import { a } from './circle-a';\nexport const b = () => a;\n");
    writeFileSync(join(project, 'lib', 'analysis', 'reads-constructs.ts'), "import { ClusterNetworkPolicies } from '../constructs/network-policies';\nexport const c = ClusterNetworkPolicies;\n");
    appendToConfiguration(project, "import { MetricsExporter } from './constructs/metrics-exporter';\nexport const exporter = MetricsExporter;");
    const result = spawnSync(join(ROOT, 'node_modules', '.bin', 'depcruise'), ['--config', join(ROOT, '.dependency-cruiser.cjs'), 'main.ts', 'lib', 'tools'], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).not.toBe(0);
    const reported = (rule: string, from: string) => new RegExp(`error ${rule}: ${from.replace(/[.]/g, '\\.')}`).test(result.stdout);
    expect(reported('model-is-plain-data', 'lib/model/upward.ts')).toBe(true);
    expect(reported('model-has-no-cdk8s', 'lib/model/with-cdk8s.ts')).toBe(true);
    expect(reported('no-circular', 'lib/rules/circle-')).toBe(true);
    expect(reported('analysis-reads-the-model', 'lib/analysis/reads-constructs.ts')).toBe(true);
    expect(reported('config-imports-model-only', 'lib/config.ts')).toBe(true);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});
