import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { SealDeskError } from '../errors';
import { writeFileAtomic } from '../fs/atomic-write';
import { homePaths } from './paths';
import { loadPemCertificates, toPem } from '../crypto/pem';

export interface TrustedRoot {
  file: string;
  subject: string;
  fingerprint: string;
  validTo: string;
  der: Uint8Array;
}

/** Every certificate in a PEM text (or a single DER certificate). */
export function parseCertificates(bytes: Uint8Array): Uint8Array[] {
  const blocks = loadPemCertificates(Buffer.from(bytes).toString('latin1'));
  return blocks.length > 0 ? blocks : [new Uint8Array(bytes)];
}

function describe(der: Uint8Array): { subject: string; fingerprint: string; validTo: string } {
  const cert = new crypto.X509Certificate(Buffer.from(der));
  return { subject: cert.subject.replace(/\n/g, ', '), fingerprint: cert.fingerprint256.replace(/:/g, '').toLowerCase(), validTo: cert.validTo };
}

/** Every certificate in a PEM or DER file, checked to be one; a file that is not is refused. */
export function readCertificateFile(file: string): (Omit<TrustedRoot, 'file'>)[] {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new SealDeskError('TRUST_FILE_UNREADABLE', `无法读取证书文件 ${file}`, `Cannot read certificate file ${file}`, { cause: e });
  }
  return parseCertificates(bytes).map((der) => {
    try {
      return { der, ...describe(der) };
    } catch (e) {
      throw new SealDeskError('TRUST_FILE_INVALID', `${file} 不是有效的证书`, `${file} is not a valid certificate`, { cause: e });
    }
  });
}

/**
 * The trust store: root certificates (PEM) in the data dir's trust/ folder. A recipient adds the
 * issuing root of a document's signer here to trust it offline (domain.md flow 4a).
 */
export class TrustStore {
  constructor(readonly dir: string = homePaths().trustDir) {}

  /** Adds every certificate of a PEM/DER file; returns what was added. Bad files change nothing. */
  add(file: string): TrustedRoot[] {
    const described = readCertificateFile(file);
    fs.mkdirSync(this.dir, { recursive: true });
    return described.map((d) => {
      const target = path.join(this.dir, `${d.fingerprint}.pem`);
      writeFileAtomic(target, Buffer.from(toPem(d.der)));
      return { file: target, ...d };
    });
  }

  list(): TrustedRoot[] {
    if (!fs.existsSync(this.dir)) return [];
    const out: TrustedRoot[] = [];
    for (const name of fs.readdirSync(this.dir).filter((n) => n.endsWith('.pem')).sort()) {
      const file = path.join(this.dir, name);
      try {
        out.push(...readCertificateFile(file).map((c) => ({ file, ...c })));
      } catch {
        // A damaged file in the store is skipped, not trusted; `trust list` shows what is usable.
      }
    }
    return out;
  }

  roots(): Uint8Array[] {
    return this.list().map((r) => r.der);
  }
}
