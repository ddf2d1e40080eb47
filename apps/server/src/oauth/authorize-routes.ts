/**
 * @module oauth/authorize-routes
 * The front channel: `GET /oauth/authorize` validates the request, sends a
 * signed-out browser to the console's sign-in (`/?next=`), skips the consent
 * page when an earlier consent covers every requested scope, and otherwise
 * renders it; `POST /oauth/authorize/decision` takes the user's Allow/Deny.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { parseAuthorizationRequest, redirectWith, type ValidAuthorizationRequest } from './authorization-request.js';
import { browserSessionOf, type BrowserSession } from './browser-session.js';
import { findClient } from './clients.js';
import { createAuthorizationCode, createPending, findGrant, rememberConsent, takePending } from './consent-store.js';
import { renderConsentPage, renderErrorPage } from './consent-page.js';
import { OAuthParameters } from './form-parameters.js';
import { isMember } from './grant-checks.js';
import { auditRefusal, clientIntegrationRefusal } from './integration-clients.js';
import { isSubset, storedScopes } from './scopes.js';

/**
 * The pages' own CSP: like the server's, plus the client's origin in
 * form-action, because browsers apply form-action to the redirect that
 * follows the consent form.
 */
function pageSecurityPolicy(returnOrigin: string | null): string {
  const formAction = returnOrigin === null ? "'self'" : `'self' ${returnOrigin}`;
  return `default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`;
}

function sendPage(reply: FastifyReply, status: number, html: string, returnOrigin: string | null = null): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .header('content-security-policy', pageSecurityPolicy(returnOrigin))
    .type('text/html; charset=utf-8')
    .send(html);
}

function redirectTo(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(302).header('cache-control', 'no-store').header('location', location).send();
}

async function workspacesOf(ctx: ServerContext, userId: string): Promise<{ id: string; name: string }[]> {
  return ctx.db
    .selectFrom('members')
    .innerJoin('workspaces', 'workspaces.id', 'members.workspace_id')
    .select(['workspaces.id', 'workspaces.name'])
    .where('members.user_id', '=', userId)
    .orderBy('workspaces.created_at')
    .execute();
}

export function registerAuthorizeRoutes(app: FastifyInstance, ctx: ServerContext, issuer: (request: FastifyRequest) => string): void {
  async function sendCode(request: FastifyRequest, reply: FastifyReply, input: { clientId: string; userId: string; workspaceId: string; redirectUri: string; codeChallenge: string | null; scopes: readonly string[]; state: string | null | undefined }) {
    // No code for a workspace where the client's integration is not installed and enabled: the user reads why.
    const client = await findClient(ctx, input.clientId);
    const refusal = client === undefined ? null : await clientIntegrationRefusal(ctx, client, input.workspaceId);
    if (refusal !== null && client !== undefined) {
      await auditRefusal(ctx, client, { workspaceId: input.workspaceId, userId: input.userId, grant: 'authorize', ip: request.ip }, refusal);
      return sendPage(reply, 403, renderErrorPage(refusal.message));
    }
    const code = await createAuthorizationCode(ctx.db, { ...input, now: ctx.clock.now() });
    return redirectTo(reply, redirectWith(input.redirectUri, { code, state: input.state ?? undefined, iss: issuer(request) }));
  }

  async function showConsent(request: FastifyRequest, reply: FastifyReply, session: BrowserSession, authorization: ValidAuthorizationRequest) {
    const { client } = authorization;
    const workspaces = await workspacesOf(ctx, session.userId);
    if (workspaces.length === 0) return sendPage(reply, 403, renderErrorPage('Your account belongs to no workspace, so there is nothing to grant access to.'));
    const grant = await findGrant(ctx.db, session.userId, client.id);
    const remembered = grant ? storedScopes(grant.scopes) : [];
    const registeredBy = await ctx.db.selectFrom('workspaces').select('name').where('id', '=', client.workspace_id).executeTakeFirst();
    const csrfToken = await createPending(ctx.db, { sessionId: session.sessionId, userId: session.userId, request: authorization, now: ctx.clock.now() });
    const returnOrigin = new URL(authorization.redirectUri).origin;
    const html = renderConsentPage({
      clientName: client.name,
      registeredBy: registeredBy?.name ?? 'unknown',
      userEmail: session.email,
      scopes: authorization.scopes,
      newScopes: grant ? authorization.scopes.filter((scope) => !remembered.includes(scope)) : [],
      workspaces,
      selectedWorkspaceId: grant?.workspace_id ?? null,
      csrfToken,
      returnTo: returnOrigin,
    });
    return sendPage(reply, 200, html, returnOrigin);
  }

  app.get('/oauth/authorize', async (request, reply) => {
    const query = new URL(request.url, 'http://ferry.invalid').searchParams;
    const authorization = await parseAuthorizationRequest(ctx, query);
    if (authorization.kind === 'show-error') return sendPage(reply, 400, renderErrorPage(authorization.message));
    if (authorization.kind === 'redirect-error') {
      const { redirectUri, error, description, state } = authorization;
      return redirectTo(reply, redirectWith(redirectUri, { error, error_description: description, state, iss: issuer(request) }));
    }
    const session = await browserSessionOf(ctx, request);
    if (session === null) return redirectTo(reply, `/?next=${encodeURIComponent(request.url)}`);

    const grant = await findGrant(ctx.db, session.userId, authorization.client.id);
    const covered = grant !== undefined && isSubset(authorization.scopes, storedScopes(grant.scopes));
    if (covered && !authorization.forceConsent && (await isMember(ctx.db, session.userId, grant.workspace_id))) {
      return sendCode(request, reply, {
        clientId: authorization.client.id,
        userId: session.userId,
        workspaceId: grant.workspace_id,
        redirectUri: authorization.redirectUri,
        codeChallenge: authorization.codeChallenge,
        scopes: authorization.scopes,
        state: authorization.state,
      });
    }
    return showConsent(request, reply, session, authorization);
  });

  app.post('/oauth/authorize/decision', async (request, reply) => {
    const invalidForm = new Error('invalid form');
    if (!(request.body instanceof URLSearchParams)) return sendPage(reply, 400, renderErrorPage('The answer to the consent page could not be read.'));
    const form = new OAuthParameters(request.body, () => invalidForm);
    let csrfToken: string | undefined;
    let decision: string | undefined;
    let workspaceId: string | undefined;
    try {
      csrfToken = form.optional('csrf_token');
      decision = form.optional('decision');
      workspaceId = form.optional('workspace_id');
    } catch {
      return sendPage(reply, 400, renderErrorPage('The answer to the consent page could not be read.'));
    }
    const session = await browserSessionOf(ctx, request);
    if (session === null) return sendPage(reply, 400, renderErrorPage('You are no longer signed in. Start again from the application.'));
    const now = ctx.clock.now();
    const pending = csrfToken === undefined ? undefined : await takePending(ctx.db, csrfToken, session.sessionId, now);
    if (!pending) return sendPage(reply, 400, renderErrorPage('This consent page has expired or was already answered. Start again from the application.'));
    const client = await findClient(ctx, pending.client_id);
    if (!client) return sendPage(reply, 400, renderErrorPage('The application asking for access is no longer registered.'));

    if (decision === 'deny') {
      return redirectTo(reply, redirectWith(pending.redirect_uri, { error: 'access_denied', error_description: 'The user denied access.', state: pending.state ?? undefined, iss: issuer(request) }));
    }
    if (decision !== 'allow') return sendPage(reply, 400, renderErrorPage('Choose Allow or Deny.'));
    if (workspaceId === undefined || !(await isMember(ctx.db, session.userId, workspaceId))) {
      return sendPage(reply, 400, renderErrorPage('Choose one of your workspaces.'));
    }
    const scopes = storedScopes(pending.scopes);
    await rememberConsent(ctx.db, { userId: session.userId, clientId: client.id, workspaceId, scopes, ip: request.ip, now });
    return sendCode(request, reply, {
      clientId: client.id,
      userId: session.userId,
      workspaceId,
      redirectUri: pending.redirect_uri,
      codeChallenge: pending.code_challenge,
      scopes,
      state: pending.state,
    });
  });
}
