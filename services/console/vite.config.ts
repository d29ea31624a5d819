import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// The staff console's single-page app: root web/, built into dist/web, served by the console
// (src/routes/web-app.routes.ts) from '/'. `vite` alone serves it for development with the API
// proxied to a running console (CONSOLE_URL).
const consoleUrl = process.env.CONSOLE_URL ?? 'http://127.0.0.1:3010'

export default defineConfig({
  root: fileURLToPath(new URL('./web', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/web', import.meta.url)),
    emptyOutDir: true,
    // Route chunks stay small; the entry (React, router, the layout) is measured by the benchmark.
    chunkSizeWarningLimit: 600,
    // No inline scripts anywhere: the console's CSP allows scripts from its own origin only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: { proxy: { '/api': consoleUrl, '/auth': consoleUrl } },
})
