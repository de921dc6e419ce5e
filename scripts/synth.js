// `npm run synth`: transpiles the app (without type-checking: `npm test` does that) and runs it.
'use strict';
const { join } = require('node:path');
const { transpile, OUT } = require('./transpile');

transpile();
require(join(OUT, 'main.js'));
