/** The real vendor GM files of ../shared/testdata/gm, read as they are (never modified). */
import fs from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';

export const GM_DIR = path.resolve(__dirname, '../../../../shared/testdata/gm');
export const gmFile = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(GM_DIR, name)));

export interface OfdSignatureParts {
  signedValue: Uint8Array;
  signatureXml: Uint8Array;
}

/** SignedValue.dat and Signature.xml of Doc_0/Signs/Sign_0 of an OFD package. */
export function ofdSignature(name: 'v4signed.ofd' | 'signedFile.ofd'): OfdSignatureParts {
  const files = unzipSync(gmFile(name));
  const get = (p: string): Uint8Array => {
    const f = files[p];
    if (!f) throw new Error(`${name} has no ${p}`);
    return f;
  };
  return { signedValue: get('Doc_0/Signs/Sign_0/SignedValue.dat'), signatureXml: get('Doc_0/Signs/Sign_0/Signature.xml') };
}
