// `npm run rehearse [-- --docs] [environment...]`: the failover rehearsal of every environment's clusters, from the
// committed dist/ (run `npm run synth` first after a change). See docs/high-availability.md.
'use strict';
const { join } = require('node:path');
const { transpile, OUT } = require('./transpile');

transpile();
const { main } = require(join(OUT, 'tools', 'rehearsal', 'cli.js'));
process.exitCode = main(process.argv.slice(2));
