export { stampPdf } from './stamp-pdf';
export type { StampOptions, StampResult, StampedSeal, SealPictureInput, StampStage, Placement, SignatureFormat } from './stamp-pdf';
export { findKeyword } from './keyword-locator';
export type { KeywordHit } from './keyword-locator';
export { digestByteRanges } from './byte-range-digest';
