/**
 * @module views/sign-in
 * Sign in with email and password (sets the session cookie).
 */
import type { Me } from '@ferry/core';
import { useState, type FormEvent } from 'react';
import { ErrorMessage, StatusMessage } from '../components/error-message.js';
import { useApi } from '../hooks/use-api.js';

export function SignIn({ onSignedIn, notice = null }: { onSignedIn(me: Me): void; notice?: string | null }) {
  const client = useApi();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await client.call('login', { body: { email: email.trim(), password } }));
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <main className="public-page">
      <form className="card form" onSubmit={submit} aria-labelledby="sign-in-title">
        <p className="brand">Ferry</p>
        <h1 id="sign-in-title">Sign in</h1>
        <StatusMessage text={notice} />
        <label>
          Email
          <input type="email" autoComplete="username" value={email} onChange={(event) => setEmail(event.target.value)} required autoFocus />
        </label>
        <label>
          Password
          <input type="password" autoComplete="current-password" value={password} onChange={(event) => setPassword(event.target.value)} required />
        </label>
        <ErrorMessage error={error} />
        <button type="submit" className="button-primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
