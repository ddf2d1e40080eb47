/**
 * @module api/session-watch
 * Wraps the client so that any call answered `unauthenticated` (the session
 * expired or was ended elsewhere) tells the console, which then asks the user
 * to sign in again instead of showing errors everywhere.
 */
import type { FerryClient } from '@ferry/core';
import { errorCode } from './describe-error.js';

export function watchSession(client: FerryClient, onSessionLost: () => void): FerryClient {
  const guard = <T>(pending: Promise<T>): Promise<T> =>
    pending.catch((error: unknown) => {
      if (errorCode(error) === 'unauthenticated') onSessionLost();
      throw error;
    });
  const call: FerryClient['call'] = (name, ...args) => guard(client.call(name, ...args));
  const raw: FerryClient['raw'] = (name, ...args) => guard(client.raw(name, ...args));
  return { baseUrl: client.baseUrl, url: client.url, call, raw };
}
