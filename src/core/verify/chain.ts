import crypto from 'node:crypto';

/**
 * Chain building for the verifier: does a certificate chain to one of the trust roots at a time?
 * 'untrusted' = the chain is sound as far as it goes but ends at no trusted root (an unknown root is a
 * warning in the report, not a failure); 'invalid' = a link is broken or outside its validity.
 */
export interface ChainOutcome {
  status: 'trusted' | 'untrusted' | 'invalid' | 'not_checked';
  /** Leaf first, up to the trusted root when one was reached. */
  chain?: Uint8Array[];
  problems: string[];
}

export interface ChainInput {
  intermediates: Uint8Array[];
  roots: Uint8Array[];
  at: Date;
}

const MAX_DEPTH = 8;

export function checkChain(leaf: Uint8Array, input: ChainInput): ChainOutcome {
  let current: crypto.X509Certificate;
  try {
    current = new crypto.X509Certificate(Buffer.from(leaf));
  } catch (e) {
    return { status: 'invalid', problems: [`certificate unreadable: ${(e as Error).message}`] };
  }
  const parse = (ders: Uint8Array[]): crypto.X509Certificate[] => ders.flatMap((d) => {
    try { return [new crypto.X509Certificate(Buffer.from(d))]; } catch { return []; }
  });
  const roots = parse(input.roots);
  const intermediates = parse(input.intermediates);
  const chain: Uint8Array[] = [new Uint8Array(current.raw)];
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const window = validityProblem(current, input.at);
    if (window) return { status: 'invalid', chain, problems: [window] };
    const root = roots.find((r) => issuedBy(current, r));
    if (root) {
      const rootWindow = validityProblem(root, input.at);
      if (rootWindow) return { status: 'invalid', chain, problems: [rootWindow] };
      if (!current.raw.equals(root.raw)) chain.push(new Uint8Array(root.raw));
      return { status: 'trusted', chain, problems: [] };
    }
    if (roots.some((r) => r.raw.equals(current.raw))) return { status: 'trusted', chain, problems: [] };
    const next = intermediates.find((c) => !c.raw.equals(current.raw) && issuedBy(current, c) && c.ca);
    if (!next) {
      const selfSigned = current.checkIssued(current) && safeVerify(current, current);
      return { status: 'untrusted', chain, problems: [selfSigned ? `the root "${oneLine(current.subject)}" is not in the trust store` : `no issuer found for "${oneLine(current.subject)}" among the trust roots`] };
    }
    chain.push(new Uint8Array(next.raw));
    current = next;
  }
  return { status: 'invalid', chain, problems: ['certificate chain too long'] };
}

function issuedBy(cert: crypto.X509Certificate, issuer: crypto.X509Certificate): boolean {
  return cert.checkIssued(issuer) && safeVerify(cert, issuer);
}

function safeVerify(cert: crypto.X509Certificate, issuer: crypto.X509Certificate): boolean {
  try {
    return cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function validityProblem(cert: crypto.X509Certificate, at: Date): string | undefined {
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  if (at < from || at > to) return `"${oneLine(cert.subject)}" is not valid at ${at.toISOString()} (valid ${from.toISOString()} – ${to.toISOString()})`;
  return undefined;
}

function oneLine(subject: string): string {
  return subject.replace(/\n/g, ', ');
}
