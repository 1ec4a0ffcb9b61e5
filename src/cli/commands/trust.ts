import { parseArgs } from 'node:util';
import { TrustStore } from '../../core/config/trust-store';
import { AuditLog } from '../../core/audit/audit-log';
import { usageError } from '../output';

export async function trustCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
  const store = new TrustStore();
  if (sub === 'add') {
    if (positionals.length !== 1) throw usageError('用法: sealdesk trust add 证书文件', 'usage: sealdesk trust add FILE');
    const log = new AuditLog();
    try {
      for (const r of store.add(positionals[0])) {
        process.stdout.write(`已信任 trusted: ${r.subject}  SHA-256 ${r.fingerprint}\n`);
        log.record({ action: 'trust.add', outcome: 'ok', detail: `${r.subject} ${r.fingerprint}` });
      }
    } catch (e) {
      log.record({ action: 'trust.add', outcome: 'failed', code: (e as { code?: string }).code, document: positionals[0] });
      throw e;
    }
    return 0;
  }
  if (sub === 'list') {
    const roots = store.list();
    if (roots.length === 0) process.stdout.write('信任库为空 / trust store is empty\n');
    for (const r of roots) process.stdout.write(`${r.subject}\n  SHA-256 ${r.fingerprint}  有效期至 valid to ${r.validTo}\n`);
    return 0;
  }
  throw usageError('用法: sealdesk trust add 文件 | trust list', 'usage: sealdesk trust add FILE | trust list');
}
