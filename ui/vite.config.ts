import { defineConfig } from 'vitest/config';

// The dashboard is served by the Go binary (see handler.go): index.html at "/",
// content-hashed files under /assets/ (cached as immutable). No inline scripts or
// styles are emitted, so the server's strict Content-Security-Policy holds.
export default defineConfig({
  base: '/',
  esbuild: {
    jsx: 'automatic',
    jsxImportSource: 'preact',
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // Keep every asset a file: an inlined data: URL would need a looser CSP.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  server: {
    // `npm run dev` proxies the API to a locally running `go run . serve`.
    proxy: { '/graphql': 'http://127.0.0.1:8080' },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
