/**
 * The output folder (`dist/`), replaced as a whole: a synth writes into a staging folder beside it,
 * `.<dist>-<pid>-<time>`, and swaps it in by two renames only when everything was written (swapIn). A synth that was
 * killed leaves its staging folder, or the previous output as `.<dist>-<pid>-<time>.previous`, behind: the next synth
 * puts a missing `dist/` back and removes what dead synths left (prepareOutputFolder). After a failure, outputState
 * says what is on disk.
 */
import { accessSync, constants, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** `.dist-`: the prefix of every folder a synth creates beside `distDir`. */
const prefixOf = (distDir: string) => `.${basename(distDir)}-`;

/** What a synth created beside `distDir`: staging folders and previous outputs, by name, sorted. */
export function leftovers(distDir: string): string[] {
  const parent = dirname(distDir);
  if (!existsSync(parent)) return [];
  return readdirSync(parent)
    .filter((entry) => entry.startsWith(prefixOf(distDir)))
    .sort();
}

/** Whether the synth that created the leftover `name` may still be running (its pid is in the name and alive). */
function ownerAlive(distDir: string, name: string): boolean {
  const pid = Number(/^(\d+)-/.exec(name.slice(prefixOf(distDir).length))?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists, and belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Puts back the `distDir` a synth left missing when it was killed between the two renames of swapIn (the previous
 * output is then beside it as `.previous`), and removes every staging folder and previous output of synths that are
 * no longer running. Folders of a synth still running (two at once) are left alone. Returns the identity of `distDir`
 * after that, for outputState.
 */
export function prepareOutputFolder(distDir: string): string | undefined {
  const dead = leftovers(distDir).filter((name) => !ownerAlive(distDir, name));
  const previous = dead.filter((name) => name.endsWith('.previous'));
  if (!existsSync(distDir) && previous.length === 1) renameSync(join(dirname(distDir), previous[0]), distDir);
  for (const name of dead) rmSync(join(dirname(distDir), name), { recursive: true, force: true });
  return identity(distDir);
}

/**
 * A new, empty staging folder beside `distDir`, `.<dist>-<pid>-<time>`, made as `mkdir` makes folders (rwxr-xr-x with
 * the usual umask 022): it becomes dist/ after the swap. (`mkdtemp` would make it rwx------.)
 */
export function createStaging(distDir: string): string {
  const staging = join(dirname(distDir), `${prefixOf(distDir)}${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(staging);
  return staging;
}

/**
 * Problems that would let a synth replace `distDir` but not remove the previous output: a folder of it the current
 * user may not write (owned by another user, or made read-only). Checked before anything is written.
 */
export function unwritableFolders(distDir: string): string[] {
  if (!existsSync(distDir)) return [];
  const folders = [distDir, ...readdirSync(distDir, { recursive: true, encoding: 'utf8' }).map((entry) => join(distDir, entry))].filter((path) => statSync(path).isDirectory());
  return folders.filter((folder) => {
    try {
      accessSync(folder, constants.W_OK);
      return false;
    } catch {
      return true;
    }
  });
}

/**
 * Replaces `distDir` with `staging` by two renames on one file system. Should the second rename fail, the previous
 * `distDir` is renamed back, so `distDir` is either all old or all new, never missing or mixed. Returns the problem
 * when the previous output, once replaced, could not be removed (it is left as `.previous`; the next synth retries).
 */
export function swapIn(staging: string, distDir: string): string | undefined {
  const previous = `${staging}.previous`;
  const hadPrevious = existsSync(distDir);
  if (hadPrevious) renameSync(distDir, previous);
  try {
    renameSync(staging, distDir);
  } catch (error) {
    if (hadPrevious) renameSync(previous, distDir);
    throw error;
  }
  try {
    rmSync(previous, { recursive: true, force: true });
    return undefined;
  } catch (error) {
    return `${distDir}/ is written, but its previous output could not be removed (${(error as Error).message}): it is left as ${basename(previous)}; remove it`;
  }
}

/** `dev:inode` of a path, or undefined when it does not exist: a folder swapped in by rename has another inode. */
function identity(path: string): string | undefined {
  try {
    const stat = statSync(path);
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * What a failed synth left on disk, in one sentence or two: `distDir` unchanged (the same folder as `before`, the
 * identity prepareOutputFolder returned: a synth never writes into `distDir`, it only swaps whole folders), replaced,
 * or missing; and any folder left beside it.
 */
export function outputState(distDir: string, before: string | undefined): string {
  const now = identity(distDir);
  const left = leftovers(distDir);
  const dist = `${distDir}/`;
  const state =
    now === before
      ? before === undefined
        ? `Nothing was written: ${dist} does not exist.`
        : `Nothing was written: ${dist} is unchanged.`
      : now === undefined
        ? `${dist} is missing; the previous output is kept beside it, and the next synth puts it back.`
        : `${dist} HAS been replaced by this synth's output.`;
  return left.length === 0 ? state : `${state} Left beside it: ${left.join(', ')} (the next synth removes them).`;
}
