import { pinStatus, tokenSigner, withUserLogin, type KeyPairInfo, type TokenInfo, type TokenSession } from '../pkcs11';
import type { Signer, SignatureScheme } from '../signer';
import type { AppContext } from './context';
import type { PinPrompt } from './login-signer';

/**
 * One login for a whole job (batch stamping): the PIN is asked when the first document is ready
 * to be signed, C_Login runs once through the PIN guard (withUserLogin, so wrong PINs count and
 * five lock), and the session stays logged in until close(). The PIN itself is not kept: the
 * login zeroes it (a copy lives inside withUserLogin only for CKA_ALWAYS_AUTHENTICATE keys).
 * A refused PIN is never asked again within the job: the job ends with the error.
 */
export class HeldLogin {
  private held?: Promise<{ session: TokenSession; release(): Promise<void> }>;
  private failure?: unknown;
  /** How many times the PIN was asked for and C_Login attempted (at most one). */
  logins = 0;

  constructor(private readonly ctx: AppContext, private readonly askPin: PinPrompt) {}

  /** A Signer for stampDocument's `signer` hook; its dispose() leaves the login to close(). */
  signerFor(token: TokenInfo, key: KeyPairInfo): Signer & { dispose(): void } {
    const schemes: Record<KeyPairInfo['keyAlgorithm'], SignatureScheme> = { RSA: 'rsa-pkcs1-sha256', 'EC-P256': 'ecdsa-sha256', SM2: 'sm2-sm3' };
    return {
      certificate: key.certificate!,
      keyAlgorithm: key.keyAlgorithm,
      defaultScheme: schemes[key.keyAlgorithm],
      sign: async (message, scheme) => {
        const { session } = await this.session(token);
        return tokenSigner(session, key.ckaId, this.ctx.vendorProfile()).sign(message, scheme);
      },
      dispose() { /* the job's login ends in close() */ },
    };
  }

  private session(token: TokenInfo): Promise<{ session: TokenSession; release(): Promise<void> }> {
    if (this.failure) return Promise.reject(this.failure);
    this.held ??= (async () => {
      const triesLeft = pinStatus(this.ctx.module(), token, { home: this.ctx.home }).triesLeft;
      const pin = await this.askPin({ token, purpose: 'stamp', triesLeft });
      this.logins++;
      return new Promise<{ session: TokenSession; release(): Promise<void> }>((resolve, reject) => {
        let release!: () => void;
        const released = new Promise<void>((r) => { release = r; });
        const done = withUserLogin(this.ctx.module(), token, pin, async (session) => {
          resolve({ session, release: async () => { release(); await done.catch(() => undefined); } });
          await released;
        }, { home: this.ctx.home });
        done.catch(reject);
      });
    })().catch((e: unknown) => {
      this.failure = e;
      throw e;
    });
    return this.held;
  }

  /** Logs out and closes the session (if one was opened). */
  async close(): Promise<void> {
    const held = this.held;
    this.held = undefined;
    if (!held) return;
    try { await (await held).release(); } catch { /* the login had failed: nothing is open */ }
  }
}
