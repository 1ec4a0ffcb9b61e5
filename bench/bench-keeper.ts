/**
 * One keeper for every signer in the benchmark: an RSA-2048 software key certified by a fresh
 * RSA test root, a seal made for it with the demo seal picture, and the same key and certificate as a P12 for
 * @signpdf's P12Signer. Software keys, because the bench compares PDF pipelines, not tokens.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadPemCertificates, toPem } from '../src/core/crypto/pem';
import { nodeKeySigner } from '../src/core/crypto/software-signer';
import { makeSeal } from '../src/core/seal/make-seal';

/** Where the keeper's files are, inside a bench work dir. */
export interface KeeperFiles {
  rootDer: string;
  keyPem: string;
  certDer: string;
  sealDer: string;
  p12: string;
  /** The P12 passphrase, in a file so that it never appears in argv. */
  p12Passphrase: string;
}

export function keeperFiles(dir: string): KeeperFiles {
  return {
    rootDer: path.join(dir, 'root.der'),
    keyPem: path.join(dir, 'keeper-key.pem'),
    certDer: path.join(dir, 'keeper-cert.der'),
    sealDer: path.join(dir, 'seal.der'),
    p12: path.join(dir, 'keeper.p12'),
    p12Passphrase: path.join(dir, 'keeper.p12.pass'),
  };
}

export const DEMO_SEAL_PNG = path.resolve(__dirname, '../resources/seals/demo-seal.png');
/** The seal's printed size: a 40 mm round contract seal. */
export const SEAL_SIZE_MM = 40;

export async function createBenchKeeper(dir: string): Promise<KeeperFiles> {
  const files = keeperFiles(dir);
  const ca = new OpensslCa(dir);
  const keeper = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const certificate = ca.issue('keeper', keeper.privateKey, '/O=SealDesk 基准测试有限公司/CN=Bench Keeper');
  // The seal maker's key sits on a seal-making card in real life; here it is one more software key.
  const maker = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const makerCert = ca.issue('maker', maker.privateKey, '/O=SealDesk Bench/CN=Bench Seal Maker');
  // After issuing: OpenSSL starts the certificates at the current second, which must not lie after "now".
  const now = new Date();
  const seal = await makeSeal({
    maker: nodeKeySigner(maker.privateKey, makerCert),
    keeper: { certificate, seals: [] },
    trustRoots: [ca.rootDer],
    now,
    name: 'SealDesk 基准测试有限公司合同专用章',
    type: 4,
    validStart: new Date(now.getTime() - 3600_000),
    validEnd: new Date(now.getTime() + 365 * 86400_000),
    image: { bytes: fs.readFileSync(DEMO_SEAL_PNG), widthMm: SEAL_SIZE_MM, heightMm: SEAL_SIZE_MM },
    vendorId: 'SealDesk-bench',
  });

  fs.writeFileSync(files.rootDer, ca.rootDer);
  fs.writeFileSync(files.keyPem, keeper.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  fs.writeFileSync(files.certDer, certificate);
  fs.writeFileSync(files.sealDer, seal.der);
  writeP12(files, certificate);
  return files;
}

const CA_CONFIG = `[req]
distinguished_name = dn
[dn]
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

/**
 * An RSA-2048 root made with OpenSSL. Not core's createRootCa: that root signs with ECDSA, and
 * node-forge (inside @signpdf/signer-p12) drops any certificate whose issuer signature is not RSA
 * ("Unknown signature OID"), so the peer could not sign with such a keeper certificate at all.
 */
class OpensslCa {
  readonly rootDer: Uint8Array;
  private readonly config: string;
  private readonly rootKey: string;
  private readonly rootPem: string;
  private serial = 1;

  constructor(private readonly dir: string) {
    this.config = path.join(dir, 'ca.cnf');
    fs.writeFileSync(this.config, CA_CONFIG);
    this.rootKey = this.writeKey('root', crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
    this.rootPem = path.join(dir, 'root.pem');
    openssl(['req', '-x509', '-new', '-utf8', '-key', this.rootKey, '-subj', '/O=SealDesk Bench/CN=SealDesk Bench Root', '-days', '3650', '-sha256',
      '-config', this.config, '-extensions', 'root', '-out', this.rootPem]);
    this.rootDer = loadPemCertificates(fs.readFileSync(this.rootPem, 'utf8'))[0]!;
  }

  /** A signing certificate (digitalSignature + nonRepudiation) for KEY, valid from an hour ago for two years. */
  issue(name: string, key: crypto.KeyObject, subject: string): Uint8Array {
    const keyFile = this.writeKey(name, key);
    const csr = path.join(this.dir, `${name}.csr`);
    const pem = path.join(this.dir, `${name}.pem`);
    openssl(['req', '-new', '-utf8', '-key', keyFile, '-subj', subject, '-config', this.config, '-out', csr]);
    openssl(['x509', '-req', '-in', csr, '-CA', this.rootPem, '-CAkey', this.rootKey, '-set_serial', String(this.serial++), '-days', '730', '-sha256',
      '-extfile', this.config, '-extensions', 'leaf', '-out', pem]);
    return loadPemCertificates(fs.readFileSync(pem, 'utf8'))[0]!;
  }

  private writeKey(name: string, key: crypto.KeyObject): string {
    const file = path.join(this.dir, `${name}-key.pem`);
    fs.writeFileSync(file, key.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    return file;
  }
}

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

/**
 * The P12 for @signpdf/signer-p12 (node-forge): SHA-1/3DES PBE and a SHA-1 MAC, the encryption
 * node-forge reads (OpenSSL 3's default AES/PBKDF2 P12 is not readable by every forge version).
 * Only the keeper certificate goes in, as in a keeper's own P12.
 */
function writeP12(files: KeeperFiles, certificate: Uint8Array): void {
  const passphrase = crypto.randomBytes(12).toString('hex');
  fs.writeFileSync(files.p12Passphrase, passphrase, { mode: 0o600 });
  const certPem = `${files.certDer}.pem`;
  fs.writeFileSync(certPem, toPem(certificate));
  openssl([
    'pkcs12', '-export', '-inkey', files.keyPem, '-in', certPem, '-out', files.p12, '-name', 'Bench Keeper',
    '-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1', '-passout', `file:${files.p12Passphrase}`,
  ]);
}
