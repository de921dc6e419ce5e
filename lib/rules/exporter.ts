import { DEFAULT_EXPORTER_IMAGE } from '../model/cluster';
import { q } from './text';

/** A container image must be pinned: a tag other than `latest`, or a digest. */
export function validateImage(clusterName: string, field: string, image: string): string[] {
  // A reference with "@" is pinned by its digest, which must be complete; otherwise it must end in a tag (a tag holds
  // no "/": a registry's port, `registry.local:5000/team/image`, is not one).
  const pinned = image.includes('@') ? /@sha256:[0-9a-f]{64}$/.test(image) : /:[\w][\w.-]{0,127}$/.test(image) && !image.endsWith(':latest');
  return pinned ? [] : [`${clusterName}: ${field} must be pinned to a release tag or digest (got ${q(image)}): for example ${q(DEFAULT_EXPORTER_IMAGE)}; never "latest" or no tag`];
}

