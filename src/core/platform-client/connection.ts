/**
 * One connection to the configured seal platform: the HTTPS client of src/platform/client (TLS
 * pinned to the configured root) with a timeout on every call, refusals of the platform turned
 * into SealDeskErrors with its code and zh/en message, and an unreachable platform (refused,
 * timed out, TLS not matching the pinned root, a 5xx) turned into PLATFORM_UNREACHABLE with the
 * reason and the hint to check the settings.
 */
import type { ApiFailure, RouteName } from '../../platform/api/contract';
import { PlatformClient, type ApiAnswer, type RequestSigner } from '../../platform/client/platform-client';
import { SealDeskError } from '../errors';
import type { PlatformSettings } from './platform-settings';

export function unreachable(reason: string, cause?: unknown): SealDeskError {
  return new SealDeskError('PLATFORM_UNREACHABLE', `无法连接电子印章管理平台,请检查系统设置(${reason})`,
    `Cannot reach the seal platform; please check the settings (${reason})`, { cause, details: { reason } });
}

/** The platform's own refusal ({error:{code,zh,en}}), kept as sent. */
export function platformRefusal(a: ApiAnswer): SealDeskError {
  const e = (a.body as Partial<ApiFailure> | undefined)?.error;
  if (e && typeof e.code === 'string' && typeof e.zh === 'string' && typeof e.en === 'string') {
    return new SealDeskError(e.code, e.zh, e.en, { details: { httpStatus: a.status } });
  }
  return new SealDeskError('PLATFORM_BAD_ANSWER', `电子印章管理平台的应答无法识别(HTTP ${a.status})`, `The seal platform's answer is not understood (HTTP ${a.status})`);
}

export class PlatformConnection {
  private readonly client: PlatformClient;

  constructor(readonly url: string, rootPem: string, readonly timeoutMs: number) {
    this.client = new PlatformClient(url, rootPem);
  }

  static of(s: PlatformSettings): PlatformConnection {
    return new PlatformConnection(s.url, s.tlsRootPem, s.timeoutMs);
  }

  close(): void { this.client.close(); }

  /**
   * Runs one exchange with the platform under the call's timeout. `hold` suspends the clock while a
   * step that is not network waits (the USB-Key signing a request may first ask the keeper's PIN).
   */
  private async timed<T>(p: (hold: <X>(q: Promise<X>) => Promise<X>) => Promise<ApiAnswer<T>>): Promise<ApiAnswer<T>> {
    let timer: NodeJS.Timeout | undefined;
    let fail: (e: SealDeskError) => void = () => undefined;
    const timeout = new Promise<never>((_, reject) => { fail = reject; });
    const arm = () => {
      timer = setTimeout(() => { this.client.close(); fail(unreachable(`${this.timeoutMs} ms 内无应答 / no answer within ${this.timeoutMs} ms`)); }, this.timeoutMs);
    };
    // A failure of the held step (a wrong PIN, a token removed) is its own, not the platform's.
    const ownFailures = new Set<unknown>();
    const hold = async <X>(q: Promise<X>): Promise<X> => {
      clearTimeout(timer);
      try { return await q; } catch (e) { ownFailures.add(e); throw e; } finally { arm(); }
    };
    arm();
    try {
      const a = await Promise.race([p(hold), timeout]);
      if (a.status >= 500) throw unreachable(`HTTP ${a.status}`);
      return a;
    } catch (e) {
      if (e instanceof SealDeskError || ownFailures.has(e)) throw e;
      const err = e as NodeJS.ErrnoException;
      throw unreachable(err.code ?? err.message, e);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A route's answer when 2xx; the platform's refusal otherwise. */
  async call<T>(name: RouteName, o: Parameters<PlatformClient['call']>[1] = {}): Promise<T> {
    const a = await this.timed(() => this.client.call<T>(name, o));
    if (a.status < 200 || a.status > 299) throw platformRefusal(a);
    return a.body;
  }

  /** Logs in a console account (applicant, maker…); the password buffer is wiped by the client. */
  async login(user: string, password: Buffer): Promise<void> {
    const a = await this.timed(() => this.client.login(user, password));
    if (a.status !== 200) throw platformRefusal(a);
  }

  /** Raw bytes of a route (an impression PNG), or the platform's refusal. */
  async bytes(name: RouteName, o: Parameters<PlatformClient['call']>[1] = {}): Promise<Uint8Array> {
    const a = await this.timed(() => this.client.call<unknown>(name, o));
    if (a.status < 200 || a.status > 299) throw platformRefusal(a);
    if (!Buffer.isBuffer(a.body)) throw new SealDeskError('PLATFORM_BAD_ANSWER', '电子印章管理平台的应答不是二进制数据', "The seal platform's answer is not binary data");
    return new Uint8Array(a.body);
  }

  async signed<T>(name: RouteName, body: unknown, signer: RequestSigner): Promise<T> {
    const a = await this.timed((hold) => this.client.signed<T>(name, body, { ...signer, sign: (m) => hold(signer.sign(m)) }));
    if (a.status < 200 || a.status > 299) throw platformRefusal(a);
    return a.body;
  }
}
