/**
 * @module http/multipart-related
 * Splits a `multipart/related` body (RFC 2387), as Google's multipart upload
 * sends it: a JSON metadata part, then the media part.
 */

export interface BodyPart {
  headers: Record<string, string>;
  content: Buffer;
}

export function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return match?.[1] ?? match?.[2];
}

/** Returns the parts, or undefined when the body is not well formed. */
export function parseMultipartRelated(body: Buffer, boundary: string): BodyPart[] | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: BodyPart[] = [];
  let position = body.indexOf(delimiter);
  if (position < 0) return undefined;
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString() === '--') return parts;
    if (body.subarray(position, position + 2).toString() === '\r\n') position += 2;
    const next = body.indexOf(delimiter, position);
    if (next < 0) return undefined;
    let end = next;
    if (body.subarray(end - 2, end).toString() === '\r\n') end -= 2;
    const part = body.subarray(position, end);
    const headerEnd = part.indexOf('\r\n\r\n');
    const headerText = headerEnd >= 0 ? part.subarray(0, headerEnd).toString('utf8') : '';
    const headers: Record<string, string> = {};
    for (const line of headerText.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    parts.push({ headers, content: headerEnd >= 0 ? part.subarray(headerEnd + 4) : part });
    position = next;
  }
}
