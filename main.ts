import { runSynth } from './lib/app/cli';

runSynth();
