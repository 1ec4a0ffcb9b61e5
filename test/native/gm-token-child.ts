/**
 * A second process on the GM test token, for tests that must show what survives a restart or
 * what two processes do at once. Reads a JSON script on stdin (PINs never go in argv), runs it
 * against the module named in it with the token config from the environment, and prints a JSON
 * result: one entry per step ("CKR_OK" or the CKR_* name, or the data asked for).
 *
 * Steps: {op:"init", label, soPin, userPin} | {op:"login", pin} | {op:"soLogin", pin} |
 *        {op:"initPin", soPin, userPin} | {op:"flags"} | {op:"find", id} (hex CKA_ID → objects)
 * Every step that names no serial uses the token of the previous "init" or the "serial" field.
 */
import * as pkcs11js from 'pkcs11js';

interface Script {
  module: string;
  serial?: string;
  steps: Array<Record<string, string>>;
}

function code(e: unknown): string {
  const m = e instanceof Error ? /CKR_[A-Z_]+/.exec(e.message) : null;
  return m ? m[0] : `ERROR ${String(e)}`;
}

function main(script: Script): unknown[] {
  const p = new pkcs11js.PKCS11();
  p.load(script.module);
  p.C_Initialize();
  const out: unknown[] = [];
  let serial = script.serial;
  const slotOf = (): Buffer => {
    const slot = p.C_GetSlotList(true).find((s) => p.C_GetTokenInfo(s).serialNumber.trim() === serial);
    if (!slot) throw new Error(`no token with serial ${serial}`);
    return slot;
  };
  const inSession = (rw: boolean, fn: (s: Buffer) => unknown): unknown => {
    const s = p.C_OpenSession(slotOf(), pkcs11js.CKF_SERIAL_SESSION | (rw ? pkcs11js.CKF_RW_SESSION : 0));
    try {
      return fn(s);
    } catch (e) {
      return code(e);
    } finally {
      p.C_CloseSession(s);
    }
  };
  try {
    for (const step of script.steps) {
      switch (step.op) {
        case 'init': {
          const free = p.C_GetSlotList(true).find((s) => (p.C_GetTokenInfo(s).flags & pkcs11js.CKF_TOKEN_INITIALIZED) === 0)!;
          p.C_InitToken(free, step.soPin, step.label);
          serial = p.C_GetTokenInfo(free).serialNumber.trim();
          out.push(inSession(true, (s) => {
            p.C_Login(s, pkcs11js.CKU_SO, step.soPin);
            p.C_InitPIN(s, step.userPin);
            return serial;
          }));
          break;
        }
        case 'login':
        case 'soLogin':
          out.push(inSession(step.op === 'soLogin', (s) => {
            p.C_Login(s, step.op === 'login' ? pkcs11js.CKU_USER : pkcs11js.CKU_SO, step.pin);
            return 'CKR_OK';
          }));
          break;
        case 'initPin':
          out.push(inSession(true, (s) => {
            p.C_Login(s, pkcs11js.CKU_SO, step.soPin);
            p.C_InitPIN(s, step.userPin);
            return 'CKR_OK';
          }));
          break;
        case 'flags':
          out.push(p.C_GetTokenInfo(slotOf()).flags);
          break;
        case 'find':
          out.push(inSession(false, (s) => {
            p.C_FindObjectsInit(s, [{ type: pkcs11js.CKA_ID, value: Buffer.from(step.id, 'hex') }]);
            const found = p.C_FindObjects(s, 100);
            p.C_FindObjectsFinal(s);
            return found.map((o) => {
              const [cls, label, value] = p.C_GetAttributeValue(s, o, [{ type: pkcs11js.CKA_CLASS }, { type: pkcs11js.CKA_LABEL }, { type: pkcs11js.CKA_VALUE }]);
              return { class: (cls.value as Buffer).readUInt32LE(0), label: (label.value as Buffer).toString(), value: (value.value as Buffer).toString('hex') };
            });
          }));
          break;
        default:
          out.push(`unknown step ${step.op}`);
      }
    }
  } finally {
    p.C_Finalize();
  }
  return out;
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  process.stdout.write(JSON.stringify(main(JSON.parse(input) as Script)));
});
