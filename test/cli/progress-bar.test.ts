import { test } from 'node:test';
import assert from 'node:assert/strict';
import { terminalProgressBar } from '../../src/cli/progress-bar';

function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  return { written, stream: { isTTY, columns: 60, write: (s: string) => { written.push(s); return true; } } as unknown as NodeJS.WriteStream };
}

test('on a terminal the batch progress bar redraws one line with the count and the file name, and clears it', () => {
  const { written, stream } = fakeStream(true);
  const bar = terminalProgressBar(stream);
  bar.update(5, 20, 'doc-005.pdf');
  assert.match(written.at(-1)!, /^\r\x1b\[2K\[#+\.+\] 5\/20 doc-005\.pdf$/);
  const filled = /\[(#+)/.exec(written.at(-1)!)![1]!.length;
  bar.update(20, 20, 'doc-020.pdf');
  assert.ok(/\[(#+)\]/.exec(written.at(-1)!)![1]!.length > filled, 'the bar grows');
  bar.update(1, 20, 'a-very-long-folder-name/and-a-very-long-file-name-for-the-batch.pdf');
  assert.ok(written.at(-1)!.replace('\r\x1b[2K', '').length <= 60, 'the line fits the terminal');
  bar.clear();
  assert.equal(written.at(-1), '\r\x1b[2K');
});

test('when stderr is not a terminal (a pipe, a log file) the bar writes nothing', () => {
  const { written, stream } = fakeStream(false);
  const bar = terminalProgressBar(stream);
  bar.update(1, 2, 'x.pdf');
  bar.clear();
  assert.deepEqual(written, []);
});
