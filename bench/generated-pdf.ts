/**
 * Deterministic large PDFs for the benchmark: a classic-xref document whose pages each carry a
 * full-page greyscale "scan" (an image XObject of pseudo-random pixels from a seeded generator) and a
 * line of text. Scanned archives are where big PDFs come from in practice, and pseudo-random pixels
 * keep the size honest (nothing a reader could shortcut). Written streaming, so generating 100 MB
 * never holds the file in memory. Same spec ⇒ byte-identical file.
 */
import fs from 'node:fs';

export interface GeneratedPdfSpec {
  /** Short label used in tables and the cache file name. */
  name: string;
  pages: number;
  /** Total file size to aim for; the image size per page is derived from it. */
  targetBytes: number;
}

/** Bump when the generator's output changes, so cached files are regenerated. */
export const GENERATOR_VERSION = 1;

const IMAGE_WIDTH = 1000;
const PAGE_OVERHEAD = 700; // page object, content stream and image dictionary, roughly

export function writeGeneratedPdf(file: string, spec: GeneratedPdfSpec): void {
  const imageHeight = Math.max(1, Math.floor((spec.targetBytes / spec.pages - PAGE_OVERHEAD) / IMAGE_WIDTH));
  const fd = fs.openSync(file, 'w');
  let offset = 0;
  const offsets: number[] = [0]; // object 0 is the free-list head
  const write = (data: string | Uint8Array): void => {
    const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    let done = 0;
    while (done < buf.length) done += fs.writeSync(fd, buf, done, buf.length - done);
    offset += buf.length;
  };
  const startObject = (num: number): void => {
    offsets[num] = offset;
    write(`${num} 0 obj\n`);
  };
  try {
    write('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n');
    // 1 catalog, 2 page tree, 3 font; page i uses objects 4+3i (page), 5+3i (content), 6+3i (image).
    const pageNum = (i: number): number => 4 + 3 * i;
    startObject(1);
    write('<< /Type /Catalog /Pages 2 0 R >>\nendobj\n');
    startObject(2);
    const kids = Array.from({ length: spec.pages }, (_, i) => `${pageNum(i)} 0 R`).join(' ');
    write(`<< /Type /Pages /Count ${spec.pages} /Kids [${kids}] >>\nendobj\n`);
    startObject(3);
    write('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>\nendobj\n');
    const random = xorshift32(0x5ea1de5c);
    const image = Buffer.alloc(IMAGE_WIDTH * imageHeight);
    for (let i = 0; i < spec.pages; i++) {
      const page = pageNum(i);
      startObject(page);
      write(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${page + 1} 0 R /Resources << /Font << /F1 3 0 R >> /XObject << /Im0 ${page + 2} 0 R >> >> >>\nendobj\n`);
      const content = `q 595 0 0 842 0 0 cm /Im0 Do Q\nBT /F1 14 Tf 72 800 Td (SealDesk benchmark ${spec.name}, page ${i + 1} of ${spec.pages}) Tj ET\n`;
      startObject(page + 1);
      write(`<< /Length ${content.length} >>\nstream\n${content}\nendstream\nendobj\n`);
      for (let p = 0; p < image.length; p += 4) image.writeUInt32LE(random(), p);
      startObject(page + 2);
      write(`<< /Type /XObject /Subtype /Image /Width ${IMAGE_WIDTH} /Height ${imageHeight} /ColorSpace /DeviceGray /BitsPerComponent 8 /Length ${image.length} >>\nstream\n`);
      write(image);
      write('\nendstream\nendobj\n');
    }
    const xrefAt = offset;
    const count = offsets.length;
    let xref = `xref\n0 ${count}\n0000000000 65535 f \n`;
    for (let n = 1; n < count; n++) xref += `${String(offsets[n]).padStart(10, '0')} 00000 n \n`;
    write(xref);
    write(`trailer\n<< /Size ${count} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`);
  } finally {
    fs.closeSync(fd);
  }
}

/** Marsaglia's xorshift32: tiny, fast, and the same sequence on every machine. */
function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}
