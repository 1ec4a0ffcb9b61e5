import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { PDFDocument, PDFString, StandardFonts } from 'pdf-lib';

/**
 * The partners' signers, as Debian packages them, driven the way a partner would: poppler's
 * `pdfsig -add-signature` over an NSS database (certutil/pk12util), iText 5 (libitext5-java with
 * BouncyCastle) through the small program in test/interop/java, and MuPDF's `mutool sign`, which
 * signs only a signature field prepared empty beforehand. Their certificate comes from a partner
 * root made here with openssl, so SealDesk and pdfsig trust exactly what the test says.
 *
 * The PKCS#12 and the NSS database use an empty password: they hold a throw-away test key, and
 * nothing here is a SealDesk PIN.
 */
export interface PeerPki {
  dir: string;
  rootDer: Uint8Array;
  rootPem: string;
  p12: string;
  nssDir: string;
}

const JARS = ['itext5.jar', 'bcprov.jar', 'bcpkix.jar', 'bcutil.jar'].map((j) => path.join('/usr/share/java', j));

/** What is missing to run the peers (the test skips with this message); empty when all are there. */
export function missingPeerTools(): string[] {
  const missing: string[] = [];
  for (const tool of ['pdfsig', 'mutool', 'certutil', 'pk12util', 'openssl', 'java', 'javac']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) missing.push(tool);
  }
  for (const jar of JARS) if (!fs.existsSync(jar)) missing.push(jar);
  return missing;
}

function run(cmd: string, args: string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}${r.stdout}`);
  return `${r.stdout}${r.stderr}`;
}

/** A partner root and an RSA-2048 signer under it, as PKCS#12 and in an NSS database. */
export function makePeerPki(dir: string): PeerPki {
  fs.mkdirSync(dir, { recursive: true });
  const o = (...args: string[]): string => run('openssl', args, dir);
  o('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-subj', '/CN=Partner Test Root/O=Partner Ltd', '-days', '30',
    '-addext', 'basicConstraints=critical,CA:true', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  o('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'peer.key', '-out', 'peer.csr', '-subj', '/CN=Partner Signer/O=Partner Ltd');
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  o('x509', '-req', '-in', 'peer.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-CAcreateserial', '-out', 'peer.pem', '-days', '30', '-extfile', 'ext.cnf');
  o('pkcs12', '-export', '-inkey', 'peer.key', '-in', 'peer.pem', '-certfile', 'root.pem', '-out', 'peer.p12', '-passout', 'pass:', '-name', 'peer');
  const nssDir = path.join(dir, 'nss');
  fs.mkdirSync(nssDir);
  run('certutil', ['-N', '-d', `sql:${nssDir}`, '--empty-password']);
  run('pk12util', ['-i', path.join(dir, 'peer.p12'), '-d', `sql:${nssDir}`, '-W', '']);
  const rootPem = fs.readFileSync(path.join(dir, 'root.pem'), 'utf8');
  return { dir, rootDer: new Uint8Array(new crypto.X509Certificate(rootPem).raw), rootPem, p12: path.join(dir, 'peer.p12'), nssDir };
}

/** poppler: a new signature field signed by NSS (adbe.pkcs7.detached; BER with indefinite lengths). */
export function pdfsigSign(pki: PeerPki, input: string, output: string, field = 'PdfsigSig'): void {
  run('pdfsig', ['-nssdir', `sql:${pki.nssDir}`, '-add-signature', '-nick', 'peer', '-new-signature-field-name', field, '-reason', 'countersign', input, output]);
}

/**
 * poppler: signs a prepared empty field (`-sign`). (pdfsig 22.12 refuses `-etsi` with `-add-signature`
 * and ignores it with `-sign`: it writes adbe.pkcs7.detached either way.)
 */
export function pdfsigSignPrepared(pki: PeerPki, input: string, output: string, field = 'PartnerSig'): void {
  run('pdfsig', ['-nssdir', `sql:${pki.nssDir}`, '-sign', field, '-nick', 'peer', '-reason', 'countersign', input, output]);
}

let itextClasses: string | undefined;

/** iText 5: MakeSignature.signDetached into a new visible field, CMS or CAdES (the program is compiled once per run). */
export function itextSign(pki: PeerPki, input: string, output: string, field = 'ItextSig', cades = false): void {
  if (!itextClasses) {
    const out = fs.mkdtempSync(path.join(pki.dir, 'itext-classes-'));
    run('javac', ['-cp', JARS.join(':'), '-d', out, path.resolve(__dirname, '../java/ItextSign.java')]);
    itextClasses = out;
  }
  run('java', ['-cp', [...JARS, itextClasses].join(':'), 'ItextSign', input, output, pki.p12, field, ...(cades ? ['cades'] : [])]);
}

/**
 * MuPDF 1.21: `mutool sign` signs prepared signature fields (it creates none). Given no object
 * numbers it signs EVERY signature field, re-signing (replacing) the ones already signed, so the
 * unsigned ones are found with `mutool sign -v` and named. It signs with SHA-1.
 */
export function mutoolSign(pki: PeerPki, input: string, output: string): void {
  const listing = run('mutool', ['sign', '-v', input]);
  const unsigned = [...listing.matchAll(/Verifying signature (\d+):\s*\n\s*Signature is not signed\./g)].map((m) => m[1]!);
  if (unsigned.length === 0) throw new Error(`mutool finds no unsigned signature field in ${input}:\n${listing}`);
  run('mutool', ['sign', '-s', pki.p12, '-P', '', '-o', output, input, ...unsigned]);
}

/** A one-page contract with an empty signature field prepared for a partner (what mutool needs). */
export async function preparedFieldPdf(file: string, field = 'PartnerSig'): Promise<string> {
  const d = await PDFDocument.create();
  const font = await d.embedFont(StandardFonts.Helvetica);
  const page = d.addPage([595, 842]);
  page.drawText('Contract with a signature field prepared for the partner', { x: 72, y: 760, font, size: 14 });
  const widget = d.context.obj({ Type: 'Annot', Subtype: 'Widget', FT: 'Sig', T: PDFString.of(field), Rect: [320, 72, 520, 132], F: 4, P: page.ref });
  const ref = d.context.register(widget);
  page.node.addAnnot(ref);
  d.getForm().acroForm.addField(ref);
  fs.writeFileSync(file, await d.save({ useObjectStreams: false }));
  return file;
}

export interface PdfsigVerdicts {
  /** Field name → whether pdfsig says "Signature is Valid.". */
  byField: Record<string, boolean>;
  text: string;
}

/** pdfsig's verdict per signature field (signature integrity; certificate trust is SealDesk's matter here). */
export function pdfsigVerdicts(file: string): PdfsigVerdicts {
  const r = spawnSync('pdfsig', ['-nocert', file], { encoding: 'utf8' });
  const text = `${r.stdout}${r.stderr}`;
  const byField: Record<string, boolean> = {};
  for (const block of text.split(/^Signature #\d+:/m).slice(1)) {
    const name = /Signature Field Name: (.*)/.exec(block)?.[1]?.trim() ?? '?';
    byField[name] = /Signature Validation: Signature is Valid\./.test(block);
  }
  return { byField, text };
}

/** Whether the file's catalog carries /AcroForm as a direct dictionary (as iText writes it). */
export function acroFormIsDirect(file: string): boolean {
  const out = execFileSync('qpdf', ['--show-object=trailer', '--filtered-stream-data', file], { encoding: 'utf8' });
  const root = /\/Root (\d+) (\d+) R/.exec(out);
  if (!root) return false;
  const catalog = execFileSync('qpdf', [`--show-object=${root[1]},${root[2]}`, file], { encoding: 'utf8' });
  return /\/AcroForm <</.test(catalog);
}
