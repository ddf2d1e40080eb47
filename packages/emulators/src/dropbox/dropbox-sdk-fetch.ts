/**
 * @module dropbox/dropbox-sdk-fetch
 * The `fetch` to hand the Dropbox SDK when it talks to the emulator: maps the
 * SDK's `https://` URLs to `http://`, and gives responses the node-fetch
 * `buffer()` method that the SDK's download path calls in Node.
 */

export type SdkFetch = (url: string, init?: RequestInit) => Promise<Response & { buffer(): Promise<Buffer> }>;

export function dropboxSdkFetch(): SdkFetch {
  return async (url, init) => {
    const response = await fetch(url.replace(/^https:/, 'http:'), init);
    return Object.assign(response, { buffer: async () => Buffer.from(await response.arrayBuffer()) });
  };
}
