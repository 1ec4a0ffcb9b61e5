import fs from 'node:fs';
import { SealDeskError } from '../core/errors';

/**
 * Where PINs come from: the terminal without echo, or lines of standard input with --pin-stdin
 * (for scripts: several PINs, one per line, in the order the command asks for them). Never argv.
 * Every PIN is a Buffer the caller zeroes after use.
 */
export interface PinSource {
  read(prompt: string): Promise<Buffer>;
  /** Zeroes whatever is still buffered. */
  dispose(): void;
}

const NEWLINE = 0x0a;
const CR = 0x0d;

export function stdinPinSource(): PinSource {
  let data: Buffer | undefined;
  let pos = 0;
  return {
    async read(prompt) {
      if (data === undefined) {
        try {
          data = fs.readFileSync(0);
        } catch (e) {
          throw new SealDeskError('PIN_INPUT_UNAVAILABLE', '无法从标准输入读取 PIN', 'Cannot read the PIN from standard input', { cause: e });
        }
      }
      if (pos >= data.length) {
        throw new SealDeskError('PIN_INPUT_MISSING', `标准输入中缺少 PIN (${prompt})`, `Standard input has no more PINs (${prompt})`);
      }
      let end = data.indexOf(NEWLINE, pos);
      if (end < 0) end = data.length;
      let stop = end;
      if (stop > pos && data[stop - 1] === CR) stop--;
      const pin = Buffer.alloc(stop - pos);
      data.copy(pin, 0, pos, stop);
      pos = end + 1;
      return pin;
    },
    dispose() {
      data?.fill(0);
    },
  };
}

export function terminalPinSource(): PinSource {
  return {
    read(prompt) {
      const stdin = process.stdin;
      if (!stdin.isTTY) {
        return Promise.reject(new SealDeskError('PIN_INPUT_UNAVAILABLE', '没有终端可输入 PIN,请使用 --pin-stdin', 'No terminal to enter the PIN; use --pin-stdin'));
      }
      process.stderr.write(`${prompt}: `);
      return new Promise<Buffer>((resolve, reject) => {
        const buf = Buffer.alloc(256);
        let len = 0;
        stdin.setRawMode(true);
        stdin.resume();
        const finish = (err?: SealDeskError) => {
          stdin.off('data', onData);
          stdin.setRawMode(false);
          stdin.pause();
          process.stderr.write('\n');
          if (err) { buf.fill(0); reject(err); return; }
          const pin = Buffer.from(buf.subarray(0, len));
          buf.fill(0);
          resolve(pin);
        };
        const onData = (chunk: Buffer) => {
          for (const byte of chunk) {
            if (byte === CR || byte === NEWLINE) { chunk.fill(0); finish(); return; }
            if (byte === 0x03) { chunk.fill(0); finish(new SealDeskError('CANCELLED', '已取消', 'Cancelled')); return; }
            if (byte === 0x7f || byte === 0x08) { if (len > 0) buf[--len] = 0; continue; }
            if (len < buf.length) buf[len++] = byte;
          }
          chunk.fill(0);
        };
        stdin.on('data', onData);
      });
    },
    dispose() { /* nothing buffered */ },
  };
}
