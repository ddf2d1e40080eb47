/**
 * @module marketplace/manifest-icon
 * An integration's icon, checked and inlined: a small SVG (a file beside the
 * manifest, or a data URI) without scripts, event handlers, foreign objects
 * or outside references, turned into a `data:image/svg+xml;base64,` URI the
 * console shows in an <img> (the console's CSP allows data: images).
 */

export const maxIconBytes = 16 * 1024;

const forbidden: [RegExp, string][] = [
  [/<script/i, 'a <script> element'],
  [/\son[a-z]+\s*=/i, 'an event handler attribute'],
  [/<foreignObject/i, 'a <foreignObject> element'],
  [/(?:xlink:)?href\s*=\s*["']\s*(?!#)/i, 'a reference to another document'],
  [/url\(\s*["']?\s*(?!#)/i, 'a url() outside the icon'],
  [/<!ENTITY/i, 'an entity declaration'],
];

/** What is wrong with the SVG text, or null when it is a safe, small icon. */
export function iconProblem(svg: string): string | null {
  if (Buffer.byteLength(svg) > maxIconBytes) return `is larger than ${maxIconBytes / 1024} KB`;
  if (!/^\s*(?:<\?xml[^>]*>\s*)?<svg[\s>]/i.test(svg)) return 'is not an SVG document (it must start with <svg)';
  for (const [pattern, what] of forbidden) if (pattern.test(svg)) return `contains ${what}`;
  return null;
}

/** The SVG text of a `data:image/svg+xml` URI (base64 or URL-encoded), or null when it is not one. */
export function svgFromDataUri(uri: string): string | null {
  const match = /^data:image\/svg\+xml(;charset=[\w-]+)?(;base64)?,(.*)$/s.exec(uri);
  if (match === null) return null;
  const payload = match[3] ?? '';
  try {
    return match[2] === undefined ? decodeURIComponent(payload) : Buffer.from(payload, 'base64').toString('utf8');
  } catch {
    return null;
  }
}

export function svgDataUri(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(svg.trim()).toString('base64')}`;
}
