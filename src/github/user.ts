import type { GithubClient } from './octokit.js';

export interface Viewer {
  login: string;
  /** Scopes of a classic/OAuth token (X-OAuth-Scopes); undefined for fine-grained tokens, which have none. */
  scopes?: string[];
}

/** GET /user: who the token belongs to, and what it may do. */
export async function fetchViewer(client: GithubClient): Promise<Viewer> {
  const response = await client.request('GET /user');
  const header = response.headers['x-oauth-scopes'];
  const login = String(response.data.login ?? '');
  if (!/^[A-Za-z0-9-]{1,39}(\[bot\])?$/.test(login)) throw new Error('GET /user returned no valid login');
  return {
    login,
    ...(typeof header === 'string'
      ? {
          scopes: header
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        }
      : {}),
  };
}
