/**
 * A captioned grid of small images for reports (e.g. misclassified examples): each image becomes an
 * embedded PNG in an SVG with its caption below, and resvg renders the whole to PNG — so captions
 * need no font rasteriser of our own. Writes `<basePath>.svg` and `<basePath>.png`.
 */
import { Resvg } from '@resvg/resvg-js';
import { PNG } from 'pngjs';
import type { RawImage } from 'tensile';
import { writeFileAtomic } from 'tensile/node';

export interface GridCell {
  readonly image: RawImage;
  readonly caption: string;
}

/** An 8-bit gray image as gray PNG bytes, an RGB(A) one as opaque RGBA PNG bytes. */
export function encodePng(image: RawImage): Buffer {
  if (image.channels === 1) {
    const gray = { colorType: 0, inputColorType: 0, inputHasAlpha: false } as const;
    const png = new PNG({ width: image.width, height: image.height, ...gray });
    png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length);
    return PNG.sync.write(png, gray);
  }
  const png = new PNG({ width: image.width, height: image.height });
  for (let p = 0; p < image.width * image.height; p++) {
    for (let c = 0; c < 3; c++) png.data[4 * p + c] = image.data[p * image.channels + (image.channels === 1 ? 0 : c)]!;
    png.data[4 * p + 3] = 255;
  }
  return PNG.sync.write(png);
}

function pngDataUri(image: RawImage): string {
  return `data:image/png;base64,${encodePng(image).toString('base64')}`;
}

const escapeXml = (text: string): string => text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

/** Lays `cells` out `columns` wide, each image drawn `cellSize` pixels square (nearest-neighbour, no smoothing). */
export async function writeImageGrid(cells: readonly GridCell[], basePath: string, options: { columns?: number; cellSize?: number; title?: string } = {}): Promise<{ svg: string; png: string }> {
  const columns = Math.max(1, Math.min(options.columns ?? 6, cells.length));
  const size = options.cellSize ?? 120;
  const captionHeight = 34;
  const top = options.title ? 30 : 0;
  const rows = Math.ceil(cells.length / columns);
  const width = columns * (size + 10) + 10;
  const height = top + rows * (size + captionHeight + 10) + 10;
  const parts = cells.map(({ image, caption }, i) => {
    const x = 10 + (i % columns) * (size + 10);
    const y = top + 10 + Math.floor(i / columns) * (size + captionHeight + 10);
    const lines = caption.split('\n').slice(0, 2).map((line, l) => `<text x="${x + size / 2}" y="${y + size + 14 + 13 * l}" font-size="11" text-anchor="middle" font-family="sans-serif">${escapeXml(line)}</text>`);
    return `<image x="${x}" y="${y}" width="${size}" height="${size}" image-rendering="pixelated" preserveAspectRatio="none" href="${pngDataUri(image)}"/>${lines.join('')}`;
  });
  const title = options.title ? `<text x="10" y="20" font-size="15" font-family="sans-serif">${escapeXml(options.title)}</text>` : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="100%" height="100%" fill="white"/>${title}${parts.join('')}</svg>`;
  const paths = { svg: `${basePath}.svg`, png: `${basePath}.png` };
  await writeFileAtomic(paths.svg, new TextEncoder().encode(svg));
  await writeFileAtomic(paths.png, new Resvg(svg, { background: 'white', font: { loadSystemFonts: true } }).render().asPng());
  return paths;
}
