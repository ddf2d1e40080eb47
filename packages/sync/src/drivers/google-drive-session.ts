/**
 * @module drivers/google-drive-session
 * The Drive driver's connection: the SDK client and its OAuth client, both
 * loaded on first use (`@googleapis/drive` takes most of a second to import,
 * which a local-only sync should not pay), and `call()`, which runs one
 * request under the driver's retry policy with a response deadline and the
 * SDK's own retries off. A caller's fetch, when given, sends every request
 * (SDK calls, the OAuth client's own requests: uploads, token refresh).
 */
import type { drive_v3 } from '@googleapis/drive';
import type { OAuth2Client } from 'google-auth-library';
import { classifyDriveFailure, createOAuthClient, describeDriveFailure, forceTokenRefresh, type GoogleDriveAuth, providerName } from './google-drive-api.js';
import { type RetryContext, type RetryPolicy, responseDeadline, withProviderRetry } from './provider-retry.js';

/** Per-request options for the SDK: our deadline, no SDK retries, the API host (media calls need it too). */
export interface CallOptions {
  readonly signal: AbortSignal;
  readonly retry: false;
  readonly rootUrl: string;
}

export interface DriveConnection {
  readonly api: drive_v3.Drive;
  readonly client: OAuth2Client;
}

/** A fetch for every request of the driver (gaxios' `fetchImplementation`). */
export type DriveFetch = typeof fetch;

export type DriveOperation<T> = (connection: DriveConnection, options: CallOptions, attempt: number) => Promise<T>;

export class DriveSession {
  private connection: Promise<DriveConnection> | undefined;
  private readonly retryContext: RetryContext;

  constructor(
    private readonly auth: GoogleDriveAuth,
    readonly rootUrl: string,
    readonly policy: RetryPolicy,
    private readonly fetchImplementation?: DriveFetch,
  ) {
    this.retryContext = {
      provider: providerName,
      policy,
      classify: classifyDriveFailure,
      refreshAuth: async () => forceTokenRefresh((await this.connect()).client),
    };
  }

  connect(): Promise<DriveConnection> {
    this.connection ??= Promise.all([import('@googleapis/drive'), import('google-auth-library')]).then(([{ drive }, { OAuth2Client }]) => {
      const client = createOAuthClient(OAuth2Client, this.auth, this.fetchImplementation);
      // The SDK's options reach every request it makes (googleapis-common merges them into each gaxios call).
      const fetchOption = this.fetchImplementation === undefined ? {} : { fetchImplementation: this.fetchImplementation };
      return { client, api: drive({ version: 'v3', auth: client, rootUrl: this.rootUrl, retry: false, ...fetchOption }) };
    });
    return this.connection;
  }

  /** One request under the retry policy and a response deadline; failures it gives up on are thrown as they came. */
  async callRaw<T>(label: string, operation: DriveOperation<T>): Promise<T> {
    const connection = await this.connect();
    return withProviderRetry(this.retryContext, label, async (attempt) => {
      const deadline = responseDeadline(this.policy.requestTimeoutMs);
      try {
        return await operation(connection, { signal: deadline.signal, retry: false, rootUrl: this.rootUrl }, attempt);
      } finally {
        deadline.done();
      }
    });
  }

  /** `callRaw`, with what is left mapped to a FerryError. */
  async call<T>(label: string, operation: DriveOperation<T>): Promise<T> {
    try {
      return await this.callRaw(label, operation);
    } catch (error) {
      throw describeDriveFailure(error, label);
    }
  }
}
