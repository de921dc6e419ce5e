/**
 * Where the test's servers and clients talk to each other.
 *
 * The synthesized pg_hba starts with `host all all 127.0.0.1/32 md5`: a TCP connection from 127.0.0.1 matches
 * it, TLS or not, and never reaches the `hostssl`/`hostnossl` rules under test. Every address of 127.0.0.0/8
 * is reached from 127.0.0.1 (the kernel's source address for the loopback route), so another loopback
 * address does not help. As root, the tests therefore run in a private network namespace whose loopback
 * interface also carries 198.51.100.10 (TEST-NET-2, reserved for documentation): server and clients use it,
 * exactly like a pod reached over the pod network, and nothing outside the namespace can reach them.
 * Without root there is no namespace: everything uses 127.0.0.1, and the tests of the TLS rules are skipped.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { runningAsRoot } from './integration-tools';

/** The non-loopback address inside the namespace. */
const NAMESPACE_ADDRESS = '198.51.100.10';

/** Namespaces not yet destroyed, removed when the test process exits without afterAll (a crash). */
const liveNamespaces = new Set<TestNetwork>();
process.once('exit', () => liveNamespaces.forEach((network) => network.destroy()));

export class TestNetwork {
  /** A private network namespace when root, else the host's loopback. */
  public static create(): TestNetwork {
    if (!runningAsRoot) return new TestNetwork('127.0.0.1', undefined);
    const name = `jsdb-test-${process.pid}-${TestNetwork.created++}`;
    try {
      run(['ip', 'netns', 'add', name]);
    } catch (error) {
      throw new Error(`could not create a network namespace for the TLS rule tests (root with CAP_SYS_ADMIN is needed): ${(error as Error).message}`);
    }
    const network = new TestNetwork(NAMESPACE_ADDRESS, name);
    liveNamespaces.add(network);
    try {
      run(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
      run(['ip', '-n', name, 'address', 'add', `${NAMESPACE_ADDRESS}/32`, 'dev', 'lo']);
    } catch (error) {
      network.destroy();
      throw error;
    }
    return network;
  }

  private static created = 0;
  private nextNamespacePort = 5432;

  private constructor(
    /** The address servers listen on and clients connect to. */
    public readonly address: string,
    private readonly namespace: string | undefined,
  ) {}

  /** Whether connections come from an address outside 127.0.0.1/32, so pg_hba's TCP rules for `all` addresses apply. */
  public get reachesNonLoopbackRules(): boolean {
    return this.namespace !== undefined;
  }

  /** `argv` run inside the network. */
  public command(argv: readonly string[]): string[] {
    return this.namespace === undefined ? [...argv] : ['ip', 'netns', 'exec', this.namespace, ...argv];
  }

  /** A TCP port nobody listens on (the kernel picks it when binding port 0); in a namespace every port is free. */
  public async freePort(): Promise<number> {
    if (this.namespace !== undefined) return this.nextNamespacePort++;
    return new Promise((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(0, this.address, () => {
        const address = probe.address();
        probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
      });
    });
  }

  /** Removes the namespace; the processes in it must have been stopped. */
  public destroy(): void {
    if (this.namespace !== undefined && liveNamespaces.delete(this)) run(['ip', 'netns', 'delete', this.namespace]);
  }
}

function run([command, ...args]: readonly string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.error ?? result.stderr}`);
}
