/**
 * The renderer never sees a path: main keeps opaque ids for the documents a person opened (dialog,
 * drop, argv, a stamp result) and for the output paths a person chose in a save dialog. Only ids from
 * this registry can be read, verified or stamped.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DocumentRef } from '../api/contract';
import { SealDeskError } from '../core/errors';

export class DocumentRegistry {
  private readonly docs = new Map<string, string>();
  private readonly outputs = new Map<string, { path: string; forDoc: string }>();
  private waiting: DocumentRef[] = [];

  /** Registers a path a person chose; returns its ref. */
  add(filePath: string): DocumentRef {
    const abs = path.resolve(filePath);
    let size: number;
    try {
      const st = fs.statSync(abs);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch (e) {
      throw new SealDeskError('DOCUMENT_NOT_FOUND', `文件无法打开：${path.basename(abs)}`, `Cannot open the file: ${path.basename(abs)}`, { cause: e });
    }
    const docId = crypto.randomBytes(12).toString('hex');
    this.docs.set(docId, abs);
    return { docId, name: path.basename(abs), size };
  }

  /** Registers a document main opened by itself (argv, menu, drop) for the renderer to take. */
  addWaiting(filePath: string): DocumentRef {
    const ref = this.add(filePath);
    this.waiting.push(ref);
    return ref;
  }

  takeWaiting(): DocumentRef[] {
    const w = this.waiting;
    this.waiting = [];
    return w;
  }

  pathOf(docId: string): string {
    const p = this.docs.get(docId);
    if (!p) throw new SealDeskError('DOCUMENT_UNKNOWN', '文档未打开', 'This document is not open');
    return p;
  }

  addOutput(forDoc: string, outputPath: string): { outputId: string; name: string } {
    this.pathOf(forDoc);
    const outputId = crypto.randomBytes(12).toString('hex');
    this.outputs.set(outputId, { path: path.resolve(outputPath), forDoc });
    return { outputId, name: path.basename(outputPath) };
  }

  /** The output chosen for this document (kept across a wrong-PIN retry, released after a stamp). */
  outputPath(outputId: string, forDoc: string): string {
    const o = this.outputs.get(outputId);
    if (!o || o.forDoc !== forDoc) throw new SealDeskError('OUTPUT_UNKNOWN', '未选择保存位置', 'No save location was chosen for this document');
    return o.path;
  }

  releaseOutput(outputId: string): void {
    this.outputs.delete(outputId);
  }
}

/** The default name of a stamped copy: next to the original, never the original itself. */
export function defaultStampedPath(original: string): string {
  const dir = path.dirname(original);
  // A file already stamped keeps its one suffix: "合同-已签章.pdf" → "合同-已签章(2).pdf", never "-已签章-已签章".
  const base = path.basename(original).replace(/\.pdf$/i, '').replace(/-已签章(\(\d+\))?$/, '');
  let candidate = path.join(dir, `${base}-已签章.pdf`);
  for (let i = 2; fs.existsSync(candidate); i++) candidate = path.join(dir, `${base}-已签章(${i}).pdf`);
  return candidate;
}
