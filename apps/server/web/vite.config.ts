/**
 * @module web/vite.config
 * Builds the web console into `apps/server/dist/console`, which the server serves
 * at `/`. `@ferry/core` and `@ferry/ui` resolve to their TypeScript sources, so
 * the console builds without the packages' tsc output.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const fromHere = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: fromHere('.'),
  base: '/',
  plugins: [react()],
  resolve: {
    alias: [
      { find: /^@ferry\/core$/, replacement: fromHere('../../../packages/core/src/index.ts') },
      { find: /^@ferry\/ui\/styles\.css$/, replacement: fromHere('../../../packages/ui/src/styles/console.css') },
      { find: /^@ferry\/ui$/, replacement: fromHere('../../../packages/ui/src/index.ts') },
    ],
    dedupe: ['react', 'react-dom'],
  },
  build: {
    outDir: fromHere('../dist/console'),
    emptyOutDir: true,
    sourcemap: true,
    assetsDir: 'assets',
  },
});
