/**
 * One validator per request of the contract, hand-written: every IPC handler (and the e2e server)
 * runs the request through its validator before anything else, because page script is not trusted.
 * A validator returns the request typed, or an ApiError naming the bad field.
 */
import type { ApiError, Language, OperationName, Placement, Req, SealPictureSource, Settings } from './contract';

export class RequestInvalid extends Error {
  constructor(readonly field: string, readonly why: string) {
    super(`${field}: ${why}`);
  }
}

export function invalidRequestError(op: string, e: RequestInvalid): ApiError {
  return {
    code: 'REQUEST_INVALID',
    zh: `请求无效（${op}.${e.field}：${e.why}）`,
    en: `Invalid request (${op}.${e.field}: ${e.why})`,
  };
}

type Obj = Record<string, unknown>;

function object(v: unknown, field: string, allowed: readonly string[]): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) throw new RequestInvalid(field, 'not an object');
  for (const k of Object.keys(v)) if (!allowed.includes(k)) throw new RequestInvalid(`${field}.${k}`, 'unexpected field');
  return v as Obj;
}

function str(v: unknown, field: string, max = 256, pattern?: RegExp): string {
  if (typeof v !== 'string') throw new RequestInvalid(field, 'not a string');
  if (v.length === 0 || v.length > max) throw new RequestInvalid(field, `length must be 1..${max}`);
  if (pattern && !pattern.test(v)) throw new RequestInvalid(field, 'bad format');
  return v;
}

function num(v: unknown, field: string, min: number, max: number, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RequestInvalid(field, 'not a finite number');
  if (integer && !Number.isInteger(v)) throw new RequestInvalid(field, 'not an integer');
  if (v < min || v > max) throw new RequestInvalid(field, `out of range ${min}..${max}`);
  return v;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const empty = (v: unknown, op: string): Record<string, never> => {
  object(v ?? {}, op, []);
  return {};
};

function placement(v: unknown): Placement {
  const p = object(v, 'placement', ['kind', 'page', 'x', 'y', 'text', 'occurrence', 'offset', 'pages', 'edge', 'offsetMm']);
  if (p.kind === 'point') {
    object(v, 'placement', ['kind', 'page', 'x', 'y']);
    return { kind: 'point', page: num(p.page, 'placement.page', 1, 1_000_000, true), x: num(p.x, 'placement.x', -1e6, 1e6), y: num(p.y, 'placement.y', -1e6, 1e6) };
  }
  if (p.kind === 'keyword') {
    object(v, 'placement', ['kind', 'text', 'occurrence', 'offset']);
    const occurrence = p.occurrence === 'all' ? 'all' : num(p.occurrence, 'placement.occurrence', 1, 10_000, true);
    const o = p.offset === undefined ? undefined : object(p.offset, 'placement.offset', ['dx', 'dy']);
    const offset = o === undefined ? {} : { offset: { dx: num(o.dx, 'placement.offset.dx', -1e5, 1e5), dy: num(o.dy, 'placement.offset.dy', -1e5, 1e5) } };
    return { kind: 'keyword', text: str(p.text, 'placement.text', 200), occurrence, ...offset };
  }
  if (p.kind === 'pages') {
    object(v, 'placement', ['kind', 'pages', 'x', 'y']);
    return { kind: 'pages', pages: str(p.pages, 'placement.pages', 200), x: num(p.x, 'placement.x', -1e6, 1e6), y: num(p.y, 'placement.y', -1e6, 1e6) };
  }
  if (p.kind === 'straddle') {
    object(v, 'placement', ['kind', 'pages', 'edge', 'offsetMm']);
    if (p.edge !== 'right' && p.edge !== 'left' && p.edge !== 'top' && p.edge !== 'bottom') throw new RequestInvalid('placement.edge', "must be 'right', 'left', 'top' or 'bottom'");
    const offsetMm = p.offsetMm === undefined ? {} : { offsetMm: num(p.offsetMm, 'placement.offsetMm', 0, 10_000) };
    return { kind: 'straddle', pages: str(p.pages, 'placement.pages', 200), edge: p.edge, ...offsetMm };
  }
  throw new RequestInvalid('placement.kind', "must be 'point', 'keyword', 'pages' or 'straddle'");
}

function pinBytes(v: unknown): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new RequestInvalid('pin', 'not bytes');
  // PKCS#11 PINs are short; the bound keeps a hostile page from pushing megabytes through the token host.
  if (v.length < 1 || v.length > 64) throw new RequestInvalid('pin', 'length must be 1..64');
  return v;
}

function language(v: unknown, field: string): Language {
  if (v !== 'zh' && v !== 'en') throw new RequestInvalid(field, "must be 'zh' or 'en'");
  return v;
}

function settings(v: unknown): Settings {
  const s = object(v, 'settings', ['modulePaths', 'language', 'tsaUrl']);
  if (!Array.isArray(s.modulePaths) || s.modulePaths.length > 16) throw new RequestInvalid('modulePaths', 'must be a list of at most 16 paths');
  const modulePaths = s.modulePaths.map((m, i) => {
    const p = str(m, `modulePaths[${i}]`, 1024);
    // A module path is loaded into the token host: only absolute paths, no NUL tricks.
    if (!(p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p)) || p.includes('\0')) throw new RequestInvalid(`modulePaths[${i}]`, 'must be an absolute path');
    return p;
  });
  const out: Settings = { modulePaths, language: language(s.language, 'language') };
  if (s.tsaUrl !== undefined && s.tsaUrl !== '') out.tsaUrl = str(s.tsaUrl, 'tsaUrl', 1024, /^https?:\/\/[^\s]+$/);
  return out;
}

export const validators: { [K in OperationName]: (v: unknown) => Req<K> } = {
  openDocument: (v) => empty(v, 'openDocument'),
  recentDocuments: (v) => empty(v, 'recentDocuments'),
  openRecent: (v) => ({ index: num(object(v, 'request', ['index']).index, 'index', 0, 9, true) }),
  readDocument: (v) => ({ docId: str(object(v, 'request', ['docId']).docId, 'docId', 64, ID) }),
  verifyDocument: (v) => ({ docId: str(object(v, 'request', ['docId']).docId, 'docId', 64, ID) }),
  takeOpenedDocuments: (v) => empty(v, 'takeOpenedDocuments'),
  listTokens: (v) => empty(v, 'listTokens'),
  findKeyword: (v) => {
    const o = object(v, 'request', ['docId', 'text']);
    return { docId: str(o.docId, 'docId', 64, ID), text: str(o.text, 'text', 200) };
  },
  chooseStampOutput: (v) => ({ docId: str(object(v, 'request', ['docId']).docId, 'docId', 64, ID) }),
  stamp: (v) => {
    const o = object(v, 'request', ['jobId', 'docId', 'outputId', 'tokenSerial', 'esID', 'placement', 'pin']);
    return {
      jobId: str(o.jobId, 'jobId', 64, ID),
      docId: str(o.docId, 'docId', 64, ID),
      outputId: str(o.outputId, 'outputId', 64, ID),
      tokenSerial: str(o.tokenSerial, 'tokenSerial', 64),
      esID: str(o.esID, 'esID', 128),
      placement: placement(o.placement),
      pin: pinBytes(o.pin),
    };
  },
  cancelStamp: (v) => ({ jobId: str(object(v, 'request', ['jobId']).jobId, 'jobId', 64, ID) }),
  stampProgress: (v) => ({ jobId: str(object(v, 'request', ['jobId']).jobId, 'jobId', 64, ID) }),
  trustAdd: (v) => empty(v, 'trustAdd'),
  trustList: (v) => empty(v, 'trustList'),
  auditList: (v) => ({ limit: num(object(v, 'request', ['limit']).limit, 'limit', 1, 10_000, true) }),
  auditVerify: (v) => empty(v, 'auditVerify'),
  auditExport: (v) => ({ language: language(object(v, 'request', ['language']).language, 'language') }),
  settingsGet: (v) => empty(v, 'settingsGet'),
  settingsSet: (v) => settings(v),
  exportReport: (v) => {
    const o = object(v, 'request', ['docId', 'language']);
    return { docId: str(o.docId, 'docId', 64, ID), language: language(o.language, 'language') };
  },
  reportHtml: (v) => {
    const o = object(v, 'request', ['docId', 'language']);
    return { docId: str(o.docId, 'docId', 64, ID), language: language(o.language, 'language') };
  },
  signatureDetails: (v) => {
    const o = object(v, 'request', ['docId', 'field']);
    return { docId: str(o.docId, 'docId', 64, ID), field: str(o.field, 'field', 1024) };
  },
  sealStates: (v) => {
    const list = object(v, 'request', ['esIDs']).esIDs;
    if (!Array.isArray(list) || list.length > 64) throw new RequestInvalid('esIDs', 'must be a list of at most 64 seal ids');
    return { esIDs: list.map((e, i) => str(e, `esIDs[${i}]`, 128)) };
  },
  platformGet: (v) => empty(v, 'platformGet'),
  platformUse: (v) => {
    const url = str(object(v, 'request', ['url']).url, 'url', 2048);
    if (!/^https:\/\/[^\s]+$/i.test(url)) throw new RequestInvalid('url', 'must be an https:// address');
    return { url };
  },
  platformRemove: (v) => empty(v, 'platformRemove'),
  chooseBatchDocuments: (v) => empty(v, 'chooseBatchDocuments'),
  chooseBatchOutputDir: (v) => empty(v, 'chooseBatchOutputDir'),
  stampBatch: (v) => {
    const o = object(v, 'request', ['jobId', 'docIds', 'outputId', 'tokenSerial', 'esID', 'placement', 'pin']);
    if (!Array.isArray(o.docIds) || o.docIds.length < 1 || o.docIds.length > 10_000) throw new RequestInvalid('docIds', 'must be a list of 1..10000 ids');
    return {
      jobId: str(o.jobId, 'jobId', 64, ID),
      docIds: o.docIds.map((d, i) => str(d, `docIds[${i}]`, 64, ID)),
      outputId: str(o.outputId, 'outputId', 64, ID),
      tokenSerial: str(o.tokenSerial, 'tokenSerial', 64),
      esID: str(o.esID, 'esID', 128),
      placement: placement(o.placement),
      pin: pinBytes(o.pin),
    };
  },
  batchProgress: (v) => ({ jobId: str(object(v, 'request', ['jobId']).jobId, 'jobId', 64, ID) }),
  chooseSealScan: (v) => empty(v, 'chooseSealScan'),
  sealPicturePreview: (v) => sealPictureSource(v),
  saveSealPicture: (v) => sealPictureSource(v),
};

function optionalText(v: unknown, field: string, max: number): string | undefined {
  return v === undefined || v === '' ? undefined : str(v, field, max);
}

function sealPictureSource(v: unknown): SealPictureSource {
  const o = object(v, 'request', ['from', 'layout', 'name', 'purpose', 'code', 'taxNumber', 'star', 'scanId', 'widthMm', 'heightMm']);
  if (o.from === 'scan') {
    object(v, 'request', ['from', 'scanId', 'widthMm', 'heightMm']);
    return { from: 'scan', scanId: str(o.scanId, 'scanId', 64, ID), widthMm: num(o.widthMm, 'widthMm', 10, 80), heightMm: num(o.heightMm, 'heightMm', 10, 80) };
  }
  if (o.from !== 'text') throw new RequestInvalid('from', "must be 'text' or 'scan'");
  object(v, 'request', ['from', 'layout', 'name', 'purpose', 'code', 'taxNumber', 'star']);
  if (o.layout !== 'round' && o.layout !== 'oval' && o.layout !== 'square') throw new RequestInvalid('layout', "must be 'round', 'oval' or 'square'");
  if (o.star !== undefined && typeof o.star !== 'boolean') throw new RequestInvalid('star', 'not a boolean');
  return {
    from: 'text', layout: o.layout, name: str(o.name, 'name', 60), purpose: optionalText(o.purpose, 'purpose', 30), code: optionalText(o.code, 'code', 30),
    taxNumber: optionalText(o.taxNumber, 'taxNumber', 30), ...(o.star === undefined ? {} : { star: o.star as boolean }),
  };
}

/** The dropped-file channel carries one absolute path to a PDF, produced by the preload. */
export function validateDroppedPath(v: unknown): string {
  const o = object(v, 'request', ['path']);
  const p = str(o.path, 'path', 4096);
  if (!(p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p)) || p.includes('\0')) throw new RequestInvalid('path', 'must be an absolute path');
  if (!/\.pdf$/i.test(p)) throw new RequestInvalid('path', 'only PDF files can be opened');
  return p;
}
