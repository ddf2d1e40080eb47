/**
 * @module format
 * How sizes, dates and paths read in the console.
 */

const units = ['B', 'KB', 'MB', 'GB', 'TB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

export function formatDateTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "/a/b" → ["a", "b"]; "/" → []. */
export function pathSegments(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

export function joinPath(parent: string, name: string): string {
  return parent === '/' || parent === '' ? `/${name}` : `${parent}/${name}`;
}

/** The console URL of a folder path: "/files/a/b" with each segment encoded. */
export function folderHref(path: string): string {
  const segments = pathSegments(path).map(encodeURIComponent);
  return segments.length === 0 ? '/files' : `/files/${segments.join('/')}`;
}

/** The folder path a console URL points at ("/files/a%20b" → "/a b"). */
export function folderPathFromHref(pathname: string): string {
  const rest = pathname.replace(/^\/files\/?/, '');
  const segments = pathSegments(rest).map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment;
    }
  });
  return '/' + segments.join('/');
}
