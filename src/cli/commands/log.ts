import { parseArgs } from 'node:util';
import { AuditLog, type AuditEntry } from '../../core/audit/audit-log';
import { sealdeskHome } from '../../core/config/paths';
import { queuedRecordLines } from '../../core/platform-client/stamping-records';
import { usageError } from '../output';

const ACTION_ZH: Record<string, string> = {
  'seal.make': '制章', 'seal.verify': '验证印章', 'token.login': '登录', 'token.lock': '锁定',
  'token.unlock': '解锁', 'token.change-pin': '修改PIN', stamp: '签章', verify: '验章', 'trust.add': '添加信任根',
  'platform.use': '配置平台', 'platform.record': '用印记录上报', 'platform.seals': '同步平台印章',
  'seal.apply': '印章申请', 'seal.register': '印章备案',
};
const OUTCOME_ZH: Record<string, string> = { ok: '成功', failed: '失败', refused: '拒绝' };

export function formatEntry(e: AuditEntry): string {
  const parts = [
    `#${e.seq}`, e.time, `${ACTION_ZH[e.action] ?? e.action} (${e.action})`, `${OUTCOME_ZH[e.outcome] ?? e.outcome} (${e.outcome})`,
    e.tokenLabel || e.tokenSerial ? `token ${e.tokenLabel ?? ''}${e.tokenSerial ? `/${e.tokenSerial}` : ''}` : '',
    e.esID ? `esID ${e.esID}` : '', e.document ? `file ${e.document}` : '', e.documentHash ? `hash ${e.documentHash.slice(0, 16)}…` : '',
    e.code ? `code ${e.code}` : '', e.detail ?? '',
  ];
  return parts.filter(Boolean).join('  ');
}

export async function logCommand(argv: string[]): Promise<number> {
  const log = new AuditLog();
  const [sub, ...rest] = argv;
  parseArgs({ args: rest, options: {} }); // no options: anything more is a usage error
  if (sub === 'verify') {
    const r = log.verify();
    if (r.ok) {
      process.stdout.write(`日志完整 / audit log intact: ${r.count} 条 entries\n`);
      return 0;
    }
    process.stdout.write(`日志被篡改 / audit log tampered: 第 ${r.badLine} 行 / line ${r.badLine}: ${r.reason}\n`);
    return 1;
  }
  if (sub === 'show') {
    for (const e of log.entries()) process.stdout.write(formatEntry(e) + '\n');
    for (const line of queuedRecordLines(sealdeskHome())) process.stdout.write(line + '\n');
    return 0;
  }
  throw usageError('用法: sealdesk log verify | log show', 'usage: sealdesk log verify | log show');
}
