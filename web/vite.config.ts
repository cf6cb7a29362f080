import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev` serves the client on :5173 and sends API calls to the gateway of `npm start`
// (CODEYARD_GATEWAY to point elsewhere). The build goes to web/dist, which the gateway serves.
const gateway = process.env.CODEYARD_GATEWAY ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  resolve: {
    alias: { '@codeyard/api-client': fileURLToPath(new URL('../packages/api-client/src/index.ts', import.meta.url)) },
  },
  server: {
    port: 5173,
    proxy: Object.fromEntries(['/api', '/docs', '/health'].map((path) => [path, { target: gateway, changeOrigin: false }])),
  },
  build: { outDir: 'dist', emptyOutDir: true, reportCompressedSize: true, chunkSizeWarningLimit: 400 },
});
