import { runSynth } from './lib/cli';

runSynth();
