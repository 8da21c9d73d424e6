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

createApp(App).use(router).mount('#app')
