/**
 * GM/T 0099-2020 §7.4 OFD integrity protection (完整性保护): OFDEntries.xml at the package root
 * lists every file of the package (FileList/File/@FileLoc) and names a signed value
 * (SignedValueLoc), a GB/T 35275 (GM/T 0010) SignedData over the bytes of OFDEntries.xml — what
 * ofdrw-crypto writes and verifies (OFDIntegrity, GMProtectVerifier). A file in the package that the
 * list does not name is "smuggled" (夹带), a listed file that is missing is damage.
 *
 * It is reported as one more signature of the file (never as "no stamp"): the signature checks
 * come from the Type="Sign" verifier (sign-type.ts), the file list is the 'modifications' check.
 */
import type { BilingualText, Check, CheckId, CheckStatus, SignatureReport } from '../../api/verification-report';
import { isSealDeskError } from '../errors';
import { setStampFacts, stampVerdict } from '../ses/stamp-facts';
import { ofdMalformed, shown } from './ofd-errors';
import { locate, resolveLoc } from './ofd-locations';
import { verifySignType } from './sign-type';
import { child, childText, childrenNamed, parseXml } from './xml';
import type { ZipArchive } from './zip-archive';

export const INTEGRITY_ENTRY = 'OFDEntries.xml';

const ORDER: CheckId[] = ['byte_range', 'digest', 'signature', 'signer_chain', 'seal', 'seal_signer', 'impression', 'timestamp', 'modifications'];

export interface IntegrityOutcome {
  report: SignatureReport;
  /** OFDEntries.xml and its signed value: the protection's own files. */
  entries: string[];
  /** The files the list names and that exist. */
  protects: Set<string>;
}

export function verifyIntegrityProtection(zip: ZipArchive, options: { trustRoots: Uint8Array[]; now: Date }): IntegrityOutcome | undefined {
  if (!zip.has(INTEGRITY_ENTRY)) return undefined;
  const checks: Check[] = [];
  const add = (id: CheckId, status: CheckStatus, message: BilingualText): void => { checks.push({ id, status, message }); };
  const report: SignatureReport = {
    field: 'GM/T 0099 integrity protection',
    page: null, rect: null, revision: null, coversWholeFile: false, subFilter: 'OFD GM/T 0099',
    signer: null, seal: null, signingTime: null, timeSource: null, claimedTime: null, timestampTime: null,
    verdict: 'invalid', checks, modifications: [],
  };
  const entries = [INTEGRITY_ENTRY];
  const protects = new Set<string>();
  const listXml = zip.read(INTEGRITY_ENTRY);
  let signedValueEntry: string | undefined;
  let listed: string[] = [];
  try {
    const root = parseXml(listXml, INTEGRITY_ENTRY);
    if (root.local !== 'DocEntries') throw ofdMalformed(`${INTEGRITY_ENTRY} 的根元素不是 DocEntries`, `the root element of ${INTEGRITY_ENTRY} is not DocEntries`);
    const loc = childText(root, 'SignedValueLoc');
    if (!loc) throw ofdMalformed(`${INTEGRITY_ENTRY} 没有 SignedValueLoc`, `${INTEGRITY_ENTRY} has no SignedValueLoc`);
    const found = locate((e) => zip.has(e), loc, '');
    if (!found.entry) throw ofdMalformed(`完整性保护签名值 ${shown(loc)} 不存在`, `the integrity signed value ${shown(loc)} is missing`);
    signedValueEntry = found.entry;
    const fileList = child(root, 'FileList');
    listed = (fileList ? childrenNamed(fileList, 'File') : []).map((f) => f.attributes.get('FileLoc') ?? '');
  } catch (e) {
    if (!isSealDeskError(e) || e.code !== 'OFD_MALFORMED') throw e;
    add('byte_range', 'failed', { zh: `完整性保护文件无法读取：${e.zh}`, en: `The integrity protection file cannot be read: ${e.en}` });
  }
  if (signedValueEntry) {
    entries.push(signedValueEntry);
    add('byte_range', 'ok', { zh: `完整性保护文件 ${INTEGRITY_ENTRY} 列出 ${listed.length} 个文件`, en: `The integrity protection file ${INTEGRITY_ENTRY} lists ${listed.length} file(s)` });
    const outcome = verifySignType(zip.read(signedValueEntry), listXml, { trustRoots: options.trustRoots, now: options.now });
    for (const c of outcome.checks) checks.push(c.id === 'digest' ? { ...c, message: { zh: c.message.zh.replace('Signature.xml', INTEGRITY_ENTRY), en: c.message.en.replace('Signature.xml', INTEGRITY_ENTRY) } } : c);
    report.signer = outcome.signer;
    report.claimedTime = outcome.claimedTime?.toISOString() ?? null;
    report.timestampTime = outcome.timestampTime?.toISOString() ?? null;
    report.signingTime = report.timestampTime ?? report.claimedTime;
    report.timeSource = outcome.timestampTime ? 'timestamp' : outcome.claimedTime ? 'claimed' : null;
    setStampFacts(report, { ...outcome.facts, format: { name: `GM/T 0099 integrity protection (${outcome.facts.format?.name ?? 'GM/T 0010 SignedData'})` } });

    const missing: string[] = [];
    for (const loc of listed) {
      const entry = resolveLoc(loc, '');
      if (entry && zip.has(entry)) protects.add(entry);
      else missing.push(loc);
    }
    const smuggled = zip.names.filter((n) => !protects.has(n) && !entries.includes(n));
    report.modifications = [
      ...missing.map((m) => ({ revision: 0, kind: 'disallowed' as const, object: m, description: { zh: `列出的文件 ${shown(m)} 不存在`, en: `the listed file ${shown(m)} is missing` } })),
      ...smuggled.map((m) => ({ revision: 0, kind: 'disallowed' as const, object: m, description: { zh: `文件 ${shown(m)} 不在完整性保护清单中（夹带）`, en: `the file ${shown(m)} is not in the integrity list (smuggled in)` } })),
    ];
    if (report.modifications.length === 0) add('modifications', 'ok', { zh: '包内每个文件都在完整性保护清单中，清单中的文件都存在', en: 'Every file of the package is in the integrity list, and every listed file exists' });
    else add('modifications', 'failed', { zh: report.modifications.slice(0, 5).map((m) => m.description.zh).join('；'), en: report.modifications.slice(0, 5).map((m) => m.description.en).join('; ') });
  }
  for (const id of ORDER) {
    if (!checks.some((c) => c.id === id)) add(id, 'not_checked', id === 'seal' || id === 'seal_signer' || id === 'impression'
      ? { zh: '完整性保护没有印章', en: 'Integrity protection carries no seal' }
      : { zh: '完整性保护数据无法读取，未检查', en: 'Not checked: the integrity protection data cannot be read' });
  }
  checks.sort((a, b) => ORDER.indexOf(a.id) - ORDER.indexOf(b.id));
  report.verdict = stampVerdict(report);
  return { report, entries, protects };
}
