/**
 * @module microsoft/microsoft-graph-routes
 * The Microsoft Graph calls a connecting client makes: `GET /v1.0/me` (the
 * signed-in user; needs User.Read or a broader user scope) and
 * `POST /v1.0/me/revokeSignInSessions` (invalidates every refresh token the
 * user has given any app, answering `{value: true}`; needs
 * User.RevokeSessions.All or a broader directory scope, else 403
 * Authorization_RequestDenied). Graph answers a missing, expired or revoked
 * token with 401 InvalidAuthenticationToken.
 */
import type { ServerResponse } from 'node:http';
import { sendJson, type EmulatorRequest, type Router } from '../http/http-kit.js';
import { bearerTokenOf } from '../oauth/client-request.js';
import { sendGraphError, type MicrosoftContext } from './microsoft-context.js';

const readUserScopes = ['User.Read', 'User.ReadWrite', 'User.ReadBasic.All', 'User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All', 'Directory.AccessAsUser.All'];
const revokeSessionScopes = ['User.RevokeSessions.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All', 'Directory.AccessAsUser.All'];

const challenge = 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

/** The token's scopes when it is live, else undefined after answering 401. */
function authorize(context: MicrosoftContext, request: EmulatorRequest, response: ServerResponse): Set<string> | undefined {
  const token = bearerTokenOf(request);
  if (!token) {
    sendGraphError(response, 401, 'InvalidAuthenticationToken', 'Access token is empty.', { 'www-authenticate': challenge });
    return undefined;
  }
  const state = context.tokens.accessState(token);
  if (state !== 'valid') {
    const message = state === 'expired' ? 'Lifetime validation failed, the token is expired.' : state === 'revoked' ? 'The token was revoked (the user’s sessions were revoked).' : 'IDX14100: JWT is not well formed.';
    sendGraphError(response, 401, 'InvalidAuthenticationToken', message, { 'www-authenticate': challenge });
    return undefined;
  }
  // Scope names are case-insensitive at Microsoft.
  return new Set((context.tokens.scopeOf(token) ?? '').split(/\s+/).map((scope) => scope.toLowerCase()));
}

function allows(scopes: Set<string>, needed: readonly string[]): boolean {
  return needed.some((scope) => scopes.has(scope.toLowerCase()));
}

export function registerMicrosoftGraphRoutes(router: Router, context: MicrosoftContext): void {
  router.on('GET', '/v1.0/me', (request, response) => {
    const scopes = authorize(context, request, response);
    if (!scopes) return;
    if (!allows(scopes, readUserScopes)) {
      sendGraphError(response, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
      return;
    }
    const { user } = context;
    sendJson(response, 200, {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity',
      businessPhones: [],
      displayName: user.displayName,
      givenName: user.givenName,
      jobTitle: null,
      mail: user.mail,
      mobilePhone: null,
      officeLocation: null,
      preferredLanguage: 'en-US',
      surname: user.surname,
      userPrincipalName: user.userPrincipalName,
      id: user.id,
    });
  });

  router.on('POST', '/v1.0/me/revokeSignInSessions', (request, response) => {
    const scopes = authorize(context, request, response);
    if (!scopes) return;
    if (!allows(scopes, revokeSessionScopes)) {
      sendGraphError(response, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
      return;
    }
    // Every refresh token of the user ends (and, as for a CAE-aware resource, its access tokens).
    context.tokens.revokeAll();
    sendJson(response, 200, { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean', value: true });
  });
}
