/**
 * @module web/main
 * The web console's browser entry: mounts `ConsoleApp` against the server it
 * was loaded from (same origin, session cookie).
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ConsoleApp } from '@ferry/ui';
import '@ferry/ui/styles.css';

const container = document.getElementById('root');
if (container === null) throw new Error('The console page has no #root element.');

createRoot(container).render(
  <StrictMode>
    <ConsoleApp baseUrl={window.location.origin} />
  </StrictMode>,
);
