import crypto from 'node:crypto';
import { AppContext } from '../../../src/core/app/context';
import { generateKeyPair, importCertificate, initToken, withUserLogin } from '../../../src/core/pkcs11';
import { issueCertificate, type SoftwareCa } from '../../../src/core/pki/certificate-authority';
import type { CliWorld } from './demo-world';

/** Adds a keeper token (user PIN 111111) to a demo world, its certificate issued by `ca` (in this process, through the same SoftHSM config). */
export async function addKeeper(world: CliWorld, label: string, ca: SoftwareCa): Promise<void> {
  process.env.SOFTHSM2_CONF = world.env.SOFTHSM2_CONF;
  const ctx = new AppContext({ home: world.env.SEALDESK_HOME, module: world.env.SEALDESK_PKCS11_MODULE });
  const token = await initToken(ctx.module(), { label, soPin: Buffer.from('12345678'), userPin: Buffer.from('111111') });
  const ckaId = crypto.randomBytes(8).toString('hex');
  await withUserLogin(ctx.module(), token, Buffer.from('111111'), async (s) => {
    const spki = generateKeyPair(s, { algorithm: 'EC-P256', ckaId, label });
    importCertificate(s, { ckaId, label, der: await issueCertificate(ca, { publicKeySpki: spki, subject: `CN=${label}` }) });
  }, { home: ctx.home, readWrite: true });
}
