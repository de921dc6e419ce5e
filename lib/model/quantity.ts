/** Kubernetes quantities (`100Gi`, `4G`, `1e9`), in the forms the operator CRD's pattern accepts (QUANTITY_PATTERN). */

const BINARY: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Readonly<Record<string, number>> = { K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The number of bytes `quantity` stands for, or undefined when it is not a quantity of the CRD's pattern. */
export function quantityBytes(quantity: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?(?:e\d+)?)([EPTGMK]i?)?$/.exec(quantity);
  if (match === null || (match[2] === undefined && match[1].includes('.'))) return undefined;
  const unit = match[2] === undefined ? 1 : (BINARY[match[2]] ?? DECIMAL[match[2]]);
  return Number(match[1]) * unit;
}

/** Bytes as PostgreSQL writes memory (MB means MiB), rounded up to a whole MB. */
export function megabytes(bytes: number): string {
  return `${Math.ceil(bytes / 2 ** 20)}MB`;
}
