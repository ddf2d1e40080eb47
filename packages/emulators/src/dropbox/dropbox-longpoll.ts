/**
 * @module dropbox/dropbox-longpoll
 * files/list_folder/longpoll on the notify host: no auth, blocks until the
 * cursor's folder changes (`{"changes": true}`) or the timeout passes
 * (`{"changes": false}`). Timeout 30–480 s, default 30, as documented.
 */
import { z } from 'zod';
import { sendJson, type Router } from '../http/http-kit.js';
import { decodeCursor, hasChanges } from './dropbox-cursors.js';
import { dropboxRoute, type DropboxContext } from './dropbox-context.js';
import { badInput } from './dropbox-errors.js';
import { isWithin } from './dropbox-state.js';

const longpollArg = z.object({ cursor: z.string().min(1), timeout: z.number().int().default(30) });

/** Registers the route; the returned function answers every waiting poll (on close). */
export function registerDropboxLongpoll(router: Router, context: DropboxContext): () => void {
  const waiting = new Set<(changes: boolean) => void>();

  router.on('POST', '/2/files/list_folder/longpoll', dropboxRoute(context, 'noauth', async (call) => {
    const arg = call.parse(longpollArg);
    if (arg.timeout < 30 || arg.timeout > 480) throw badInput(call.route, 'request body: timeout: must be between 30 and 480');
    const cursor = decodeCursor(arg.cursor, call.route, context.state);
    if (hasChanges(context.state, cursor)) {
      sendJson(call.response, 200, { changes: true });
      return;
    }
    const changes = await new Promise<boolean>((resolve) => {
      const finish = (value: boolean): void => {
        clearTimeout(timer);
        unsubscribe();
        waiting.delete(finish);
        resolve(value);
      };
      const timer = setTimeout(() => finish(false), arg.timeout * 1000);
      const unsubscribe = context.state.onChange((pathLower) => {
        if (isWithin(pathLower, cursor.path, cursor.recursive)) finish(true);
      });
      waiting.add(finish);
      call.response.once('close', () => finish(false));
    });
    if (!call.response.destroyed) sendJson(call.response, 200, { changes });
  }));

  return () => {
    for (const finish of [...waiting]) finish(false);
  };
}
