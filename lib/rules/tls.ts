/** TLS rules: seed failure 1 (certificates mounted by hand) and TLS required without a certificate. */

/** What the TLS rules read of a cluster and the construct's extra volumes and environment. */
export interface TlsRuleInput {
  readonly name: string;
  readonly sslPolicy: 'optional' | 'required';
  /** The operator's `spec.tls`, when a certificate is configured. */
  readonly tls?: unknown;
  readonly additionalVolumes?: ReadonlyArray<{ readonly name: string; readonly volumeSource: any }>;
  readonly env?: ReadonlyArray<{ readonly name: string }>;
}

/**
 * Spilo's variables that point PostgreSQL at a certificate or carry one (zalando/spilo ENVIRONMENT.rst). The operator
 * sets the file ones from `spec.tls` (pkg/cluster/k8sres.go, `generateTlsMounts`), but after `spec.env`, and its
 * `appendEnvVars` keeps the first: one set by hand silently wins over `spec.tls`, as the seed's hand-mounted
 * certificates did.
 */
const SPILO_CERTIFICATE_VARIABLES = ['SSL_CERTIFICATE_FILE', 'SSL_PRIVATE_KEY_FILE', 'SSL_CA_FILE', 'SSL_CERTIFICATE', 'SSL_PRIVATE_KEY', 'SSL_CA'];

/**
 * TLS rules, each message naming the field, the value, what is allowed and how to fix it:
 * - TLS required without a certificate would lock every client out;
 * - Secret volumes mounted by hand are how the seed broke (failure 1): certificates come only through `tls`.
 */
export function validateTls(input: TlsRuleInput): string[] {
  const errors: string[] = [];
  if (input.sslPolicy === 'required' && input.tls === undefined) {
    errors.push(
      `${input.name}: sslPolicy is "required" but no certificate is configured (tls: undefined): ` +
        'set tls: { issuer: { name: "<cert-manager issuer>" } } or sslPolicy: SslPolicy.OPTIONAL',
    );
  }
  // Stryker disable next-line ArrayDeclaration: a list of one string mounts no Secret either
  for (const volume of input.additionalVolumes ?? []) {
    const source = volume.volumeSource ?? {};
    // Stryker disable next-line ArrayDeclaration: a list of one string holds no Secret either
    const mountsSecret = source.secret !== undefined || (source.projected?.sources ?? []).some((s: any) => s.secret !== undefined);
    if (mountsSecret) {
      errors.push(
        `${input.name}: additionalVolumes "${volume.name}" mounts a Secret into the Spilo pods: ` +
          'certificates mounted by hand made PostgreSQL demand TLS that clients did not use (seed failure 1); ' +
          'give the cluster certificates with tls: { issuer: ... } instead',
      );
    }
  }
  // Stryker disable next-line ArrayDeclaration: a list of one string names no certificate variable either
  for (const entry of input.env ?? []) {
    if (SPILO_CERTIFICATE_VARIABLES.includes(entry.name)) {
      errors.push(
        `${input.name}: env "${entry.name}" configures PostgreSQL's certificate by hand (allowed: none of ${SPILO_CERTIFICATE_VARIABLES.join(', ')}): ` +
          'certificates configured by hand made PostgreSQL demand TLS that clients did not use (seed failure 1); ' +
          'remove it and give the cluster certificates with tls: { issuer: ... } instead',
      );
    }
  }
  return errors;
}
