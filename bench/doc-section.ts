/**
 * docs/bench.md belongs to bench/run.ts; the other benches write their own section of it, between
 * markers, so that running one of them alone leaves the rest of the file as it was.
 */
import fs from 'node:fs';
import path from 'node:path';

const DOC = path.resolve(__dirname, '..', 'docs', 'bench.md');

/** Replaces the section `name` of docs/bench.md (or appends it). */
export function writeDocSection(name: string, writer: string, text: string): void {
  const begin = `<!-- ${name}: written by ${writer} -->`;
  const end = `<!-- /${name} -->`;
  const doc = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '';
  const section = `${begin}\n${text}\n${end}\n`;
  const at = doc.indexOf(begin);
  const stop = doc.indexOf(end);
  const next = at >= 0 && stop > at ? doc.slice(0, at) + section + doc.slice(stop + end.length + 1) : `${doc.trimEnd()}\n\n${section}`;
  fs.writeFileSync(DOC, next);
  process.stderr.write(`wrote the ${name} section of ${DOC}\n`);
}
