/**
 * @module files/file-test-kit
 * Helpers for the file store's tests: typed JSON calls, uploads by name, and
 * a count of the blobs on disk.
 */
import { readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import type { FerryNode } from '@ferry/core';
import type { TestUser } from '../testing/index.js';

export interface ErrorAnswer {
  error: { code: string; message: string; details?: unknown };
}

export async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

export async function errorCode(response: Response): Promise<string> {
  return (await json<ErrorAnswer>(response)).error.code;
}

export function jsonInit(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } };
}

export async function mkdir(user: TestUser, parentId: string, name: string): Promise<FerryNode> {
  const response = await user.api(`/api/v1/nodes/${parentId}/folders`, jsonInit('POST', { name }));
  if (response.status !== 201) throw new Error(`mkdir ${name}: ${response.status} ${await response.text()}`);
  return json<FerryNode>(response);
}

export function putFile(user: TestUser, parentId: string, name: string, body: string | Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
  return user.api(`/api/v1/nodes/${parentId}/files/${encodeURIComponent(name)}`, {
    method: 'PUT',
    body,
    headers: { 'content-type': 'application/octet-stream', ...headers },
  });
}

export async function upload(user: TestUser, parentId: string, name: string, body: string | Uint8Array): Promise<FerryNode> {
  const response = await putFile(user, parentId, name, body);
  if (response.status !== 200) throw new Error(`put ${name}: ${response.status} ${await response.text()}`);
  return json<FerryNode>(response);
}

/** Every file under a folder, recursively (blobs, temp files, upload parts). */
export function filesUnder(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** A request sent exactly as written (no URL normalisation of "..", unlike fetch). */
export function rawRequest(baseUrl: string, token: string, method: string, path: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(baseUrl);
    const request = httpRequest({ host: url.hostname, port: url.port, method, path, headers: { authorization: `Bearer ${token}`, 'content-length': String(Buffer.byteLength(body)) } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (data: string) => (text += data));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}
