export { decodePng, encodePng, isPng } from './png';
export type { RgbaImage } from './png';
export { readJpegInfo } from './jpeg';
export type { JpegInfo } from './jpeg';
export { imageMalformed, imageUnsupported } from './image-errors';
