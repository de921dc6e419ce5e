import { ENVIRONMENTS, GITOPS } from './lib/config';
import { synthesizeAll } from './lib/synthesize';

synthesizeAll(ENVIRONMENTS, GITOPS, 'dist');
