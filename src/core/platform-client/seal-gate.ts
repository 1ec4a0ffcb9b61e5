/**
 * Stamping step (a) with a platform configured: before the token is even opened, the platform is
 * asked (signed status, our nonce) whether the seal is registered and in use now. Not registered,
 * suspended, lost, cancelled or expired → a refusal with that reason; unreachable → the settings hint.
 */
import type { StatusPayload } from '../../platform/api/contract';
import { SealDeskError } from '../errors';
import type { PlatformConnection } from './connection';
import { LogWatch } from './log-watch';
import { signedStatus } from './permit';
import type { PlatformSettings } from './platform-settings';

const REFUSALS: Record<Exclude<StatusPayload['state'], 'in_use'>, [string, string, string]> = {
  unknown: ['SEAL_NOT_REGISTERED', '印章未在电子印章管理平台备案', 'The seal is not registered on the seal platform'],
  not_yet_registered: ['SEAL_NOT_REGISTERED', '印章未在电子印章管理平台备案', 'The seal is not registered on the seal platform'],
  suspended: ['SEAL_SUSPENDED', '印章已暂停使用', 'The seal is suspended'],
  lost: ['SEAL_LOST', '印章已挂失', 'The seal has been reported lost'],
  cancelled: ['SEAL_CANCELLED', '印章已注销', 'The seal has been cancelled'],
};

export function refusalOfStatus(st: StatusPayload): SealDeskError | undefined {
  const reason = st.decidingEvent?.reason;
  const details = { esID: st.esID, state: st.state, effectiveAt: st.decidingEvent?.effectiveAt, reason };
  if (st.state !== 'in_use') {
    const [code, zh, en] = REFUSALS[st.state];
    return new SealDeskError(code, reason ? `${zh}(${reason})` : zh, reason ? `${en} (${reason})` : en, { details });
  }
  if (st.expired) return new SealDeskError('SEAL_EXPIRED', '印章已过有效期', 'The seal is outside its validity period', { details });
  return undefined;
}

/**
 * The log is checked first (a rolled-back or forked platform is not asked at all), then the signed
 * status now, which must not be older than the log already seen.
 */
export async function checkSealOnPlatform(conn: PlatformConnection, s: PlatformSettings, esID: string, home: string): Promise<StatusPayload> {
  const watch = new LogWatch(home, s, conn);
  await watch.current();
  const st = await signedStatus(conn, s, esID);
  await watch.assertNotBehind(st.logSize);
  const refusal = refusalOfStatus(st);
  if (refusal) throw refusal;
  return st;
}
