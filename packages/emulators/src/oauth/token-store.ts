/**
 * @module oauth/token-store
 * The tokens one emulator has issued: authorization codes, access tokens with
 * an expiry, and refresh tokens that can be revoked. API routes check bearer
 * tokens here; the OAuth routes issue and refresh them. PKCE challenges are
 * kept with each code so the token endpoint can verify them.
 */
import { createHash, randomBytes } from 'node:crypto';

export type TokenCheck = 'valid' | 'expired' | 'invalid';

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  scope: string;
}

interface AccessRecord {
  expiresAt: number;
  refreshToken: string | undefined;
}

interface RefreshRecord {
  clientId: string | undefined;
  scope: string;
  revoked: boolean;
}

export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  scope: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
}

interface CodeRecord extends AuthorizationRequest {
  expiresAt: number;
}

export type CodeRedemption =
  | { ok: true; tokens: IssuedTokens }
  | { ok: false; error: 'invalid_grant'; description: string };

export interface TokenStoreOptions {
  /** Prefix of every token, e.g. `ya29.` for Google, `sl.` for Dropbox. */
  prefix: string;
  /** Lifetime of access tokens; default 3600 s. */
  accessTokenTtlSeconds?: number;
  /** Tokens accepted forever without being issued (for quick manual use). */
  staticTokens?: readonly string[];
  now?: () => number;
}

const codeTtlMs = 10 * 60 * 1000;

function randomToken(prefix: string): string {
  return prefix + randomBytes(24).toString('base64url');
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export class TokenStore {
  private readonly access = new Map<string, AccessRecord>();
  private readonly refresh = new Map<string, RefreshRecord>();
  private readonly codes = new Map<string, CodeRecord>();
  private readonly staticTokens: Set<string>;
  private readonly now: () => number;
  accessTokenTtlSeconds: number;
  /** How often each grant was used and tokens were revoked (tests count token-endpoint traffic with it). */
  readonly counts = { codeRedemptions: 0, refreshes: 0, revocations: 0 };

  constructor(private readonly options: TokenStoreOptions) {
    this.staticTokens = new Set(options.staticTokens ?? []);
    this.now = options.now ?? Date.now;
    this.accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 3600;
  }

  /** Issues a fresh access + refresh token pair (as a completed consent would). */
  issue(scope = '', clientId?: string): IssuedTokens {
    const refreshToken = randomToken(`${this.options.prefix}r.`);
    this.refresh.set(refreshToken, { clientId, scope, revoked: false });
    return { ...this.issueAccess(refreshToken), refreshToken, scope };
  }

  private issueAccess(refreshToken: string | undefined): { accessToken: string; expiresIn: number } {
    const accessToken = randomToken(this.options.prefix);
    const expiresIn = this.accessTokenTtlSeconds;
    this.access.set(accessToken, { expiresAt: this.now() + expiresIn * 1000, refreshToken });
    return { accessToken, expiresIn };
  }

  check(accessToken: string): TokenCheck {
    if (this.staticTokens.has(accessToken)) return 'valid';
    const record = this.access.get(accessToken);
    if (!record) return 'invalid';
    if (record.refreshToken && this.refresh.get(record.refreshToken)?.revoked) return 'invalid';
    return record.expiresAt > this.now() ? 'valid' : 'expired';
  }

  /** Makes every issued access token expired (refresh tokens stay valid). */
  expireAll(): void {
    const past = this.now() - 1;
    for (const record of this.access.values()) record.expiresAt = past;
  }

  createCode(request: AuthorizationRequest): string {
    const code = randomToken(`${this.options.prefix}c.`);
    this.codes.set(code, { ...request, expiresAt: this.now() + codeTtlMs });
    return code;
  }

  /** Redeems a code once; checks client, redirect URI and the PKCE verifier if a challenge was sent. */
  redeemCode(code: string, clientId: string | undefined, redirectUri: string | undefined, codeVerifier: string | undefined): CodeRedemption {
    this.counts.codeRedemptions += 1;
    const record = this.codes.get(code);
    this.codes.delete(code);
    const fail = (description: string): CodeRedemption => ({ ok: false, error: 'invalid_grant', description });
    if (!record || record.expiresAt <= this.now()) return fail('authorization code is invalid or expired');
    if (clientId !== undefined && clientId !== record.clientId) return fail('code was issued to another client');
    if (redirectUri !== undefined && redirectUri !== record.redirectUri) return fail('redirect_uri mismatch');
    if (record.codeChallenge !== undefined) {
      if (!codeVerifier) return fail('code_verifier is missing');
      const computed = record.codeChallengeMethod === 'plain' ? codeVerifier : s256(codeVerifier);
      if (computed !== record.codeChallenge) return fail('code_verifier does not match the code_challenge');
    }
    return { ok: true, tokens: this.issue(record.scope, record.clientId) };
  }

  /** A new access token for a live refresh token, or undefined (→ invalid_grant). */
  refreshAccess(refreshToken: string): { accessToken: string; expiresIn: number; scope: string } | undefined {
    this.counts.refreshes += 1;
    const record = this.refresh.get(refreshToken);
    if (!record || record.revoked) return undefined;
    return { ...this.issueAccess(refreshToken), scope: record.scope };
  }

  /** Whether a refresh token was revoked (directly, or through one of its access tokens). */
  isRevoked(refreshToken: string): boolean {
    return this.refresh.get(refreshToken)?.revoked === true;
  }

  /** Revokes every grant issued so far, as when the user removes the app's access at the provider; answers how many. */
  revokeAll(): number {
    let revoked = 0;
    for (const record of this.refresh.values()) {
      if (record.revoked) continue;
      record.revoked = true;
      revoked += 1;
    }
    this.counts.revocations += revoked;
    return revoked;
  }

  /** Revokes an access or refresh token; revoking a refresh token kills its access tokens. */
  revoke(token: string): boolean {
    this.counts.revocations += 1;
    const refresh = this.refresh.get(token);
    if (refresh) {
      refresh.revoked = true;
      return true;
    }
    const access = this.access.get(token);
    if (!access) return false;
    this.access.delete(token);
    if (access.refreshToken) {
      const parent = this.refresh.get(access.refreshToken);
      if (parent) parent.revoked = true;
    }
    return true;
  }
}
