// The layering of lib/ (docs/architecture.md), checked by `npm run layers`, which `npm test` runs first:
//   lib/config.ts -> lib/model -> lib/rules -> lib/constructs -> lib/app; lib/analysis reads lib/model only.
// Each folder may import its own and the layers below it, nothing above; no import circles anywhere; what ships
// (main.ts, lib/) never imports what only tests and scripts use (tools/, test/, scripts/).
/** @type {import('dependency-cruiser').IConfiguration} */

/** A rule that modules under `from` import only modules under `allowed` (plus packages and Node.js). */
const layer = (name, from, allowed, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from },
  to: { path: '^(lib|imports|tools|test|scripts|main)', pathNot: allowed },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'No import circles.', severity: 'error', from: {}, to: { circular: true } },
    layer('config-imports-model-only', '^lib/config\\.ts$', '^lib/model/', 'lib/config.ts is the user\'s vocabulary: it imports the model alone.'),
    layer('model-is-plain-data', '^lib/model/', '^lib/model/', 'The model is plain data: no cdk8s, no generated imports, nothing above it.'),
    layer('rules-read-the-model', '^lib/rules/', '^lib/(model|rules)/', 'Rules are pure functions of the model.'),
    layer('constructs-build-from-model-and-rules', '^lib/constructs/', '^(lib/(model|rules|constructs)/|imports/)', 'Constructs are built from the resolved model.'),
    layer('analysis-reads-the-model', '^lib/analysis/', '^lib/(model|analysis)/', 'The analysis reads the model and the synthesized objects, not the constructs.'),
    layer('app-is-the-top', '^lib/app/', '^(lib/|imports/)', 'The app may use every layer of lib/, and nothing outside it.'),
    layer('main-calls-the-app', '^main\\.ts$', '^lib/app/', 'main.ts only calls the synth.'),
    layer('imports-are-generated', '^imports/', '^imports/', 'Generated code imports nothing of ours.'),
    {
      name: 'model-has-no-cdk8s',
      comment: 'The model is plain data: zod only, no cdk8s or constructs.',
      severity: 'error',
      from: { path: '^lib/(model|rules|analysis)/' },
      to: { path: '(^|/)node_modules/(cdk8s|cdk8s-plus-27|constructs)/' },
    },
    {
      name: 'no-unresolvable',
      comment: 'Every import resolves.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // node_modules also where it is a link to another folder (a copy of the project in a test).
    includeOnly: '^(main\\.ts|lib|imports|tools)|(^|/)node_modules/',
    // TypeScript 7 has no JavaScript API: parse with swc, which the tests' transform installs anyway.
    parser: 'swc',
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
