import { ENVIRONMENTS } from './lib/config';
import { synthesizeAll } from './lib/synthesize';

synthesizeAll(ENVIRONMENTS, 'dist');
