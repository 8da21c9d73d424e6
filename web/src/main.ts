import { createApp } from 'vue'
// Element Plus comes in per component (see vite.config.ts). Its base styles (the CSS variables
// that style.css overrides) come first, then the styles of what is only called from script:
// the templates' components bring their own.
import 'element-plus/es/components/base/style/css'
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import './style.css'
import App from './App.vue'
import { router } from './router'

// The first page's code (each route is loaded on demand) is fetched while the router's guard
// asks who is signed in, rather than after.
for (const record of router.resolve(location.pathname + location.search).matched) {
  const load = record.components?.default
  if (typeof load === 'function') (load as () => Promise<unknown>)().catch(() => undefined)
}

createApp(App).use(router).mount('#app')
