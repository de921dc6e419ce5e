import { ENVIRONMENTS } from '../lib/config';
import { synthEnvironment } from './util';

describe.each(ENVIRONMENTS.map((environment) => [environment.name, environment] as const))('environment %s', (_name, environment) => {
  test('complete output matches the reviewed snapshot', () => {
    expect(synthEnvironment(environment)).toMatchSnapshot();
  });
});
