import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// Two pages: the shop and console (index.html, one SPA) and GraphiQL (graphiql.html), both served by the API server
// from dist/. During development Vite serves them and proxies /graphql (HTTP and WebSocket) to the API.
export default defineConfig({
  plugins: [react()],
  build: {
    rollupOptions: { input: { index: resolve(__dirname, 'index.html'), graphiql: resolve(__dirname, 'graphiql.html') } },
    chunkSizeWarningLimit: 5000,
    manifest: true,
  },
  server: { proxy: { '/graphql': { target: process.env.API_URL ?? 'http://127.0.0.1:8000', ws: true } } },
});
