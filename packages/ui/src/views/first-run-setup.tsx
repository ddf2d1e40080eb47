/**
 * @module views/first-run-setup
 * The first run of a new server: create the owner account and the first
 * workspace, signed in at once.
 */
import type { Me } from '@ferry/core';
import { useState, type FormEvent } from 'react';
import { ErrorMessage } from '../components/error-message.js';
import { useApi } from '../hooks/use-api.js';

export function FirstRunSetup({ onSignedIn }: { onSignedIn(me: Me): void }) {
  const client = useApi();
  const [form, setForm] = useState({ name: '', email: '', password: '', workspaceName: '' });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const field = (key: keyof typeof form) => ({
    value: form[key],
    onChange: (event: { target: { value: string } }) => setForm((previous) => ({ ...previous, [key]: event.target.value })),
  });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await client.call('setup', {
        body: {
          email: form.email.trim(),
          password: form.password,
          name: form.name.trim() === '' ? undefined : form.name.trim(),
          workspaceName: form.workspaceName.trim() === '' ? undefined : form.workspaceName.trim(),
        },
      });
      onSignedIn(me);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <main className="public-page">
      <form className="card form" onSubmit={submit} aria-labelledby="setup-title">
        <p className="brand">Ferry</p>
        <h1 id="setup-title">Set up Ferry</h1>
        <p className="muted">Create the first account. It owns the server and its first workspace.</p>
        <label>
          Your name
          <input autoComplete="name" {...field('name')} />
        </label>
        <label>
          Email
          <input type="email" autoComplete="username" required {...field('email')} />
        </label>
        <label>
          Password
          <input type="password" autoComplete="new-password" minLength={8} required {...field('password')} />
        </label>
        <label>
          Workspace name
          <input placeholder="My team" {...field('workspaceName')} />
        </label>
        <ErrorMessage error={error} />
        <button type="submit" className="button-primary" disabled={busy}>
          Create account
        </button>
      </form>
    </main>
  );
}
