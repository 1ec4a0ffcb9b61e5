import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { BilingualText, VerificationReport } from '../../src/api/verification-report';
import { isSealDeskError } from '../../src/core/errors';
import { verifyOfd } from '../../src/core/ofd/verify-ofd';
import { verifyPdf } from '../../src/core/verify/verify-pdf';

/**
 * What a Chinese reader is shown reads as Chinese: every Chinese text of the reports over real
 * vendor files and the shadow-attack files — genuine, altered and broken ones — uses full-width
 * punctuation (，：；（）) next to Chinese characters, and carries no English sentence from a
 * parser (its detail goes to the English text and the log). Technical names (GM/T 0010,
 * SES_Signature, /ByteRange, SM2) may appear; three English words in a row may not.
 */

const VENDOR = '/work/shared/testdata/gm-vendor';
const SHADOW = '/work/shared/testdata/pdf-attacks/rub-nds-shadow';

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

function chineseTexts(r: VerificationReport): string[] {
  const out: string[] = [r.summary.zh];
  const add = (t: BilingualText | undefined) => { if (t) out.push(t.zh); };
  for (const s of r.signatures) {
    s.checks.forEach((c) => add(c.message));
    s.modifications.forEach((m) => add(m.description));
    s.encodingDeviations?.forEach(add);
    add(s.timeBasis?.message);
  }
  r.warnings.forEach((w) => add(w.message));
  return out;
}

const HALF_WIDTH_BESIDE_CHINESE = /[\u4e00-\u9fff][,:;()]|[,;()][\u4e00-\u9fff]|[\u4e00-\u9fff]\s[,:;()]/;
/** Three English words in a row (not a name like "GM/T 0010" or "SES_Signature v4"). */
const ENGLISH_SENTENCE = /\b[A-Za-z]{2,}\s+[a-z]{2,}\s+[a-z]{2,}\b/;

function reportOf(file: string): VerificationReport | undefined {
  const bytes = fs.readFileSync(file);
  try {
    if (file.endsWith('.pdf')) return verifyPdf(bytes, { trustRoots: [] });
    if (file.endsWith('.ofd')) return verifyOfd(bytes, { trustRoots: [] });
  } catch (e) {
    // A file refused as a whole: its error is worded the same way.
    if (!isSealDeskError(e)) throw e;
    return { verdict: 'invalid', verifiedAt: '', file: { size: 0, sha256: '', revisions: 0 }, signatures: [], warnings: [], summary: { zh: e.zh, en: e.en } };
  }
  return undefined;
}

test('every Chinese text in the reports over vendor and attack files uses full-width punctuation and no English sentence', () => {
  const files = [...filesUnder(VENDOR), ...filesUnder(SHADOW)].filter((f) => /\.(pdf|ofd)$/.test(f));
  assert.ok(files.length >= 20, `the shared test data is there (${files.length} files)`);
  const bad: string[] = [];
  let texts = 0;
  for (const file of files) {
    const r = reportOf(file);
    if (!r) continue;
    for (const zh of chineseTexts(r)) {
      texts++;
      // Names quoted from the file (a certificate's subject, a path) are shown as they are.
      const words = zh.replace(/“[^”]*”/g, '“”');
      if (HALF_WIDTH_BESIDE_CHINESE.test(words) || ENGLISH_SENTENCE.test(words)) bad.push(`${path.basename(file)}: ${zh}`);
    }
  }
  assert.ok(texts > 100, `${texts} texts read`);
  assert.deepEqual([...new Set(bad)], []);
});
