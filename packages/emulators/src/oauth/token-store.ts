/**
 * @module oauth/token-store
 * The tokens one emulator has issued: authorization codes, access tokens with
 * an expiry, and refresh tokens that can be revoked. API routes check bearer
 * tokens here; the OAuth routes issue and refresh them. PKCE challenges are
 * kept with each code so the token endpoint can verify them. Providers with
 * their own rules use the finer calls: `takeCode` (why a code was refused),
 * `issueGrant` (no refresh token, or a token that never expires) and
 * `rotate` (a new refresh token per refresh, the used one spent or kept).
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
  scope: string;
  /** A token without a refresh token is revoked on its own. */
  revoked?: boolean;
}

interface RefreshRecord {
  clientId: string | undefined;
  scope: string;
  revoked: boolean;
  /** Used once under rotation: refused from now on, while its access tokens live out their time. */
  spent?: boolean;
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

/** Why a code could not be redeemed, for providers that name each case (Slack, Microsoft). */
export type CodeRefusal = 'unknown' | 'already_redeemed' | 'expired' | 'client_mismatch' | 'redirect_mismatch' | 'verifier_missing' | 'verifier_mismatch';

export type CodeTaking = { ok: true; request: AuthorizationRequest } | { ok: false; reason: CodeRefusal };

/** How a grant's tokens are issued: with or without a refresh token, expiring or not. */
export interface IssueOptions {
  /** Default true. */
  refresh?: boolean;
  /** Default true; false issues an access token that never expires (Slack without token rotation). */
  expires?: boolean;
}

/** What a rotating refresh answers: a new access token and a new refresh token. */
export interface RotatedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  scope: string;
}

const codeRefusalText: Readonly<Record<CodeRefusal, string>> = {
  unknown: 'authorization code is invalid or expired',
  already_redeemed: 'authorization code is invalid or expired',
  expired: 'authorization code is invalid or expired',
  client_mismatch: 'code was issued to another client',
  redirect_mismatch: 'redirect_uri mismatch',
  verifier_missing: 'code_verifier is missing',
  verifier_mismatch: 'code_verifier does not match the code_challenge',
};

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
  /** Codes already redeemed (a second use is refused by name, as Microsoft does). */
  private readonly spentCodes = new Set<string>();
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
    return { ...this.issueAccess(refreshToken, scope), refreshToken, scope };
  }

  /**
   * Issues a grant's first tokens the way a provider configures them: without
   * a refresh token (Microsoft without offline_access, Slack without token
   * rotation) and/or with an access token that never expires.
   */
  issueGrant(scope: string, clientId: string | undefined, options: IssueOptions = {}): { accessToken: string; refreshToken?: string; expiresIn?: number; scope: string } {
    if (options.refresh !== false) {
      const tokens = this.issue(scope, clientId);
      if (options.expires === false) {
        const record = this.access.get(tokens.accessToken);
        if (record) record.expiresAt = Number.POSITIVE_INFINITY;
        return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, scope };
      }
      return tokens;
    }
    const expires = options.expires !== false;
    const accessToken = randomToken(this.options.prefix);
    const expiresIn = this.accessTokenTtlSeconds;
    this.access.set(accessToken, { expiresAt: expires ? this.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY, refreshToken: undefined, scope });
    return { accessToken, ...(expires ? { expiresIn } : {}), scope };
  }

  private issueAccess(refreshToken: string | undefined, scope: string): { accessToken: string; expiresIn: number } {
    const accessToken = randomToken(this.options.prefix);
    const expiresIn = this.accessTokenTtlSeconds;
    this.access.set(accessToken, { expiresAt: this.now() + expiresIn * 1000, refreshToken, scope });
    return { accessToken, expiresIn };
  }

  /** Like check(), but tells a revoked token from one never issued (Slack answers token_revoked vs invalid_auth). */
  accessState(accessToken: string): 'valid' | 'expired' | 'revoked' | 'unknown' {
    const checked = this.check(accessToken);
    if (checked !== 'invalid') return checked;
    return this.access.has(accessToken) ? 'revoked' : 'unknown';
  }

  /** The scope an access token was issued with (undefined for unknown and static tokens). */
  scopeOf(accessToken: string): string | undefined {
    return this.access.get(accessToken)?.scope;
  }

  check(accessToken: string): TokenCheck {
    if (this.staticTokens.has(accessToken)) return 'valid';
    const record = this.access.get(accessToken);
    if (!record) return 'invalid';
    if (record.revoked) return 'invalid';
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
    const taken = this.takeCode(code, clientId, redirectUri, codeVerifier);
    if (!taken.ok) return { ok: false, error: 'invalid_grant', description: codeRefusalText[taken.reason] };
    return { ok: true, tokens: this.issue(taken.request.scope, taken.request.clientId) };
  }

  /**
   * Takes a code once (a second use is refused as `already_redeemed`) and
   * checks it; the caller issues tokens its provider's way.
   */
  takeCode(code: string, clientId: string | undefined, redirectUri: string | undefined, codeVerifier: string | undefined): CodeTaking {
    this.counts.codeRedemptions += 1;
    const record = this.codes.get(code);
    this.codes.delete(code);
    if (!record) return { ok: false, reason: this.spentCodes.has(code) ? 'already_redeemed' : 'unknown' };
    this.spentCodes.add(code);
    if (record.expiresAt <= this.now()) return { ok: false, reason: 'expired' };
    if (clientId !== undefined && clientId !== record.clientId) return { ok: false, reason: 'client_mismatch' };
    if (redirectUri !== undefined && redirectUri !== record.redirectUri) return { ok: false, reason: 'redirect_mismatch' };
    if (record.codeChallenge !== undefined) {
      if (!codeVerifier) return { ok: false, reason: 'verifier_missing' };
      const computed = record.codeChallengeMethod === 'plain' ? codeVerifier : s256(codeVerifier);
      if (computed !== record.codeChallenge) return { ok: false, reason: 'verifier_mismatch' };
    }
    const request: AuthorizationRequest = {
      clientId: record.clientId,
      redirectUri: record.redirectUri,
      scope: record.scope,
      ...(record.codeChallenge !== undefined ? { codeChallenge: record.codeChallenge } : {}),
      ...(record.codeChallengeMethod !== undefined ? { codeChallengeMethod: record.codeChallengeMethod } : {}),
    };
    return { ok: true, request };
  }

  /** A new access token for a live refresh token, or undefined (→ invalid_grant). */
  refreshAccess(refreshToken: string): { accessToken: string; expiresIn: number; scope: string } | undefined {
    this.counts.refreshes += 1;
    const record = this.refresh.get(refreshToken);
    if (!record || record.revoked || record.spent) return undefined;
    return { ...this.issueAccess(refreshToken, record.scope), scope: record.scope };
  }

  /**
   * Refresh with rotation: a new access token and a new refresh token for a
   * live refresh token. `revokeUsed` ends the used refresh token (Slack);
   * without it the old one stays valid (Microsoft asks clients to discard it).
   * Undefined when the refresh token is unknown or revoked.
   */
  rotate(refreshToken: string, options: { revokeUsed: boolean; scope?: string }): RotatedTokens | undefined {
    this.counts.refreshes += 1;
    const record = this.refresh.get(refreshToken);
    if (!record || record.revoked || record.spent) return undefined;
    if (options.revokeUsed) record.spent = true;
    const scope = options.scope ?? record.scope;
    const next = randomToken(`${this.options.prefix}r.`);
    this.refresh.set(next, { clientId: record.clientId, scope, revoked: false });
    return { ...this.issueAccess(next, scope), refreshToken: next, scope };
  }

  /** Whether a refresh token was issued here (revoked or not). */
  knowsRefreshToken(refreshToken: string): boolean {
    return this.refresh.has(refreshToken);
  }

  /** Marks every access token that has no refresh token revoked (part of revoking all grants). */
  private revokeStandaloneAccess(): number {
    let revoked = 0;
    for (const record of this.access.values()) {
      if (record.refreshToken !== undefined || record.revoked) continue;
      record.revoked = true;
      revoked += 1;
    }
    return revoked;
  }

  /** Whether a refresh token was revoked (directly, or through one of its access tokens). */
  isRevoked(refreshToken: string): boolean {
    return this.refresh.get(refreshToken)?.revoked === true;
  }

  /** Revokes every grant issued so far, as when the user removes the app's access at the provider; answers how many. */
  revokeAll(): number {
    let revoked = this.revokeStandaloneAccess();
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
    access.revoked = true;
    if (access.refreshToken) {
      const parent = this.refresh.get(access.refreshToken);
      if (parent) parent.revoked = true;
    }
    return true;
  }
}
