/**
 * @module oauth/client-request
 * Reading what an OAuth client sends to a token or API endpoint, for the
 * providers whose answers are not RFC 6749's (Slack, Microsoft): the body as
 * string fields (form or JSON), the client's credentials from HTTP Basic or
 * the body, and a bearer token from the header or a `token` field.
 */
import { z } from 'zod';
import { parseJsonText, type EmulatorRequest } from '../http/http-kit.js';

const fieldsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));

/** The body's fields as strings; an unreadable body reads as no fields. */
export async function readFields(request: EmulatorRequest): Promise<Record<string, string>> {
  const text = (await request.body()).toString('utf8');
  if ((request.header('content-type') ?? '').includes('application/json')) {
    const parsed = fieldsSchema.safeParse(parseJsonText(text));
    return parsed.success ? parsed.data : {};
  }
  return Object.fromEntries(new URLSearchParams(text));
}

export interface ClientCredentials {
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** How the client authenticated. */
  method: 'basic' | 'body' | 'none';
}

/** Client credentials from HTTP Basic (form-encoded per RFC 6749 §2.3.1) or else the body. */
export function clientCredentialsOf(request: EmulatorRequest, fields: Readonly<Record<string, string>>): ClientCredentials {
  const basic = /^Basic\s+(\S+)$/i.exec(request.header('authorization') ?? '');
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) {
      return {
        clientId: decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' ')),
        clientSecret: decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' ')),
        method: 'basic',
      };
    }
  }
  const clientId = fields.client_id;
  const clientSecret = fields.client_secret;
  return { clientId, clientSecret, method: clientId === undefined && clientSecret === undefined ? 'none' : 'body' };
}

/** A bearer token from `Authorization: Bearer …`, else a `token` field (Slack accepts both). */
export function bearerTokenOf(request: EmulatorRequest, fields: Readonly<Record<string, string>> = {}): string | undefined {
  const header = /^Bearer\s+(\S+)$/i.exec(request.header('authorization') ?? '')?.[1];
  return header ?? fields.token ?? undefined;
}
