import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// Everything is bundled: the intranet has no CDN, and the CSP allows no inline script.
export default defineConfig({
  plugins: [vue()],
  build: { outDir: 'dist', assetsInlineLimit: 0, chunkSizeWarningLimit: 4096 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
})
