import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// The API server that `vite` (dev) and `vite preview` forward /api to: MINGJING_API, e.g.
// http://127.0.0.1:8090 for a demo server; the default is the usual local server.
const api = process.env.MINGJING_API || 'http://127.0.0.1:8080'
const proxy = { '/api': { target: api, ws: true } }

// Everything is bundled: the intranet has no CDN, and the CSP allows no inline script.
// Element Plus comes in per component: the templates' <el-*> tags and v-loading are resolved
// with their styles by unplugin-vue-components; what is only called from script (ElMessage,
// ElMessageBox) is imported by name and its styles in main.ts.
export default defineConfig({
  plugins: [vue(), Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false })],
  build: { outDir: 'dist', assetsInlineLimit: 0, chunkSizeWarningLimit: 4096, manifest: true },
  server: { proxy },
  preview: { proxy },
})
