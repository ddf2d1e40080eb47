/**
 * @module oauth/consent-page
 * The server-rendered pages of the authorization flow: the consent page
 * (a plain form, no scripts) and the page shown when a request cannot be
 * trusted enough to redirect. Every dynamic value is HTML-escaped.
 */
import { scopeCatalog, type OAuthScope } from './scopes.js';

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => escapes[char] ?? char);
}

const style = `
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2430; }
  main { max-width: 32rem; margin: 3rem auto; background: #fff; border-radius: 8px; padding: 2rem; box-shadow: 0 1px 3px #0002; }
  h1 { font-size: 1.35rem; margin-top: 0; }
  ul { padding-left: 1.2rem; }
  li { margin: .4rem 0; }
  .new { font-size: .8rem; background: #fff3c4; border-radius: 4px; padding: 0 .3rem; margin-left: .3rem; }
  .hint { color: #566072; font-size: .9rem; }
  label { display: block; font-weight: 600; margin: 1rem 0 .3rem; }
  select { font: inherit; padding: .3rem; min-width: 60%; }
  .actions { display: flex; gap: .75rem; justify-content: flex-end; margin-top: 1.5rem; }
  button { font: inherit; padding: .5rem 1.2rem; border-radius: 6px; border: 1px solid #8a94a6; background: #fff; cursor: pointer; }
  button[value=allow] { background: #1f5fd1; border-color: #1f5fd1; color: #fff; }
  button:focus-visible, select:focus-visible { outline: 3px solid #f0b400; outline-offset: 2px; }
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export interface ConsentPageInput {
  clientName: string;
  /** The workspace that registered the client, so a user can judge who made it. */
  registeredBy: string;
  userEmail: string;
  scopes: readonly OAuthScope[];
  /** Scopes asked for beyond an earlier consent (marked "new"). */
  newScopes: readonly OAuthScope[];
  workspaces: readonly { id: string; name: string }[];
  selectedWorkspaceId: string | null;
  csrfToken: string;
  returnTo: string;
}

export function renderConsentPage(input: ConsentPageInput): string {
  const client = escapeHtml(input.clientName);
  const scopes = input.scopes
    .map((scope) => {
      const isNew = input.newScopes.includes(scope) ? ' <span class="new">new</span>' : '';
      return `<li>${escapeHtml(scopeCatalog[scope])}${isNew}</li>`;
    })
    .join('\n');
  const options = input.workspaces
    .map((workspace) => `<option value="${escapeHtml(workspace.id)}"${workspace.id === input.selectedWorkspaceId ? ' selected' : ''}>${escapeHtml(workspace.name)}</option>`)
    .join('');
  return page(
    `Allow ${input.clientName} to use Ferry?`,
    `<h1>Allow ${client} to use your Ferry files?</h1>
<p class="hint">Signed in as ${escapeHtml(input.userEmail)}. ${client} was registered in the workspace “${escapeHtml(input.registeredBy)}”.</p>
<form method="post" action="/oauth/authorize/decision">
<input type="hidden" name="csrf_token" value="${escapeHtml(input.csrfToken)}">
<h2 id="scopes-heading">${client} will be able to:</h2>
<ul aria-labelledby="scopes-heading">
${scopes}
</ul>
<label for="workspace">In the workspace</label>
<select id="workspace" name="workspace_id" required>${options}</select>
<p class="hint">Afterwards you go back to ${escapeHtml(input.returnTo)}. You can withdraw this access at any time in Ferry's settings.</p>
<div class="actions">
<button type="submit" name="decision" value="deny">Deny</button>
<button type="submit" name="decision" value="allow">Allow</button>
</div>
</form>`,
  );
}

export function renderErrorPage(message: string): string {
  return page(
    'Ferry cannot continue this sign-in',
    `<h1>Ferry cannot continue this sign-in</h1>
<p role="alert">${escapeHtml(message)}</p>
<p class="hint">Go back to the application and try again. If this keeps happening, tell the application's developer.</p>`,
  );
}
