// `npm run flows [environment]`: the connectivity matrix of an environment (all by default) in the terminal,
// evaluated from the committed dist/ (run `npm run synth` first after a change).
'use strict';
const { join } = require('node:path');
const { transpile, OUT } = require('./transpile');

transpile();
const { ENVIRONMENTS } = require(join(OUT, 'lib', 'config.js'));
const { connectivityMatrices, matrixAsText } = require(join(OUT, 'lib', 'analysis', 'flow-matrix.js'));
const { readEnvironmentObjects } = require(join(OUT, 'tools', 'dist-objects.js'));

const wanted = process.argv[2];
const environments = ENVIRONMENTS.filter((environment) => wanted === undefined || environment.name === wanted);
if (environments.length === 0) {
  console.error(`no environment "${wanted}": choose one of ${ENVIRONMENTS.map((e) => e.name).join(', ')}`);
  process.exit(1);
}
for (const environment of environments) {
  for (const matrix of connectivityMatrices(environment, readEnvironmentObjects('dist', environment.name))) {
    console.log(`${matrixAsText(matrix)}\n`);
  }
}
