import { openPdf } from '../../../src/core/pdf/document';
import { IncrementalUpdate, RawBody } from '../../../src/core/pdf/incremental-writer';
import { embedSignature, prepareSignature } from '../../../src/core/pdf/signature-placeholder';
import { signedBytes } from '../../../src/core/verify/byte-range';

/**
 * Signs a PDF with a CMS made by the test (buildWildCms, openssl cms, a timestamp token): an
 * incremental update with SealDesk's own placeholder writer, then `makeContents` gets the exact
 * bytes the /ByteRange covers. It lets a test put any CMS a peer might write into a real PDF.
 */
export async function signPdfWith(input: Uint8Array, subFilter: string, makeContents: (signed: Uint8Array) => Uint8Array | Promise<Uint8Array>, contentsSize = 12000): Promise<Buffer> {
  const doc = openPdf(input);
  const update = new IncrementalUpdate(doc);
  const appearance = update.add(new RawBody(Buffer.from('<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Length 0 >>\nstream\n\nendstream', 'latin1')));
  const prepared = prepareSignature(doc, update, { pageIndex: 0, rect: [0, 0, 0, 0], appearance, signingTime: new Date(), contentsSize, subFilter });
  const contents = await makeContents(signedBytes(prepared.bytes, prepared.byteRange));
  embedSignature(prepared, contents);
  return prepared.bytes;
}
