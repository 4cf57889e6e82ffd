/**
 * A captioned grid of small images for reports (e.g. misclassified examples): each image becomes an
 * embedded PNG in an SVG with its caption below, and resvg renders the whole to PNG — so captions
 * need no font rasteriser of our own. Writes `<basePath>.svg` and `<basePath>.png`.
 */
import { Resvg } from '@resvg/resvg-js';
import { PNG } from 'pngjs';
import { type RawImage, toRgb } from 'tensile';
import { writeFileAtomic } from 'tensile/node';

/** PNG's row filter 2: each byte minus the one above it. */
const UP_FILTER = 2;

export interface GridCell {
  readonly image: RawImage;
  readonly caption: string;
}

/**
 * An 8-bit gray image as gray PNG bytes, an RGB(A) one as RGB PNG bytes (alpha dropped). One filter
 * for every row ("up") instead of pngjs's trial of all five a row: a 110×110 face crop in 0.9 ms
 * instead of 3.2 ms, and no larger (20:08 UTC 2026-12-06).
 */
export function encodePng(image: RawImage): Buffer {
  const rgb = image.channels === 1 ? image : toRgb(image);
  const colours = rgb.channels === 1 ? { colorType: 0, inputColorType: 0, inputHasAlpha: false } as const : { colorType: 2, inputColorType: 2, inputHasAlpha: false } as const;
  const options = { ...colours, filterType: UP_FILTER };
  const png = new PNG({ width: rgb.width, height: rgb.height, ...options });
  png.data = Buffer.from(rgb.data.buffer, rgb.data.byteOffset, rgb.data.length);
  return PNG.sync.write(png, options);
}

function pngDataUri(image: RawImage): string {
  return `data:image/png;base64,${encodePng(image).toString('base64')}`;
}

const escapeXml = (text: string): string => text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

/**
 * Lays `cells` out `columns` wide, each image drawn `cellSize` pixels wide and `cellHeight` (default
 * `cellSize`) tall (nearest-neighbour, no smoothing).
 */
export async function writeImageGrid(
  cells: readonly GridCell[],
  basePath: string,
  options: { columns?: number; cellSize?: number; cellHeight?: number; title?: string } = {},
): Promise<{ svg: string; png: string }> {
  const columns = Math.max(1, Math.min(options.columns ?? 6, cells.length));
  const size = options.cellSize ?? 120;
  const imageHeight = options.cellHeight ?? size;
  const captionHeight = 34;
  const top = options.title ? 30 : 0;
  const rows = Math.ceil(cells.length / columns);
  const width = columns * (size + 10) + 10;
  const height = top + rows * (imageHeight + captionHeight + 10) + 10;
  const parts = cells.map(({ image, caption }, i) => {
    const x = 10 + (i % columns) * (size + 10);
    const y = top + 10 + Math.floor(i / columns) * (imageHeight + captionHeight + 10);
    const lines = caption.split('\n').slice(0, 2).map((line, l) => `<text x="${x + size / 2}" y="${y + imageHeight + 14 + 13 * l}" font-size="11" text-anchor="middle" font-family="sans-serif">${escapeXml(line)}</text>`);
    return `<image x="${x}" y="${y}" width="${size}" height="${imageHeight}" image-rendering="pixelated" preserveAspectRatio="none" href="${pngDataUri(image)}"/>${lines.join('')}`;
  });
  const title = options.title ? `<text x="10" y="20" font-size="15" font-family="sans-serif">${escapeXml(options.title)}</text>` : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="100%" height="100%" fill="white"/>${title}${parts.join('')}</svg>`;
  const paths = { svg: `${basePath}.svg`, png: `${basePath}.png` };
  await writeFileAtomic(paths.svg, new TextEncoder().encode(svg));
  await writeFileAtomic(paths.png, new Resvg(svg, { background: 'white', font: { loadSystemFonts: true } }).render().asPng());
  return paths;
}
