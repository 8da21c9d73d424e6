import { createRouter, createWebHistory } from 'vue-router'
import { session, loadMe, canAny } from './api'

// Each page names the permission it needs; the menu shows only what the role may open.
export const pages = [
  { path: '/dashboard', component: () => import('./views/Dashboard.vue'), permission: 'alerts.read', module: 'home', menu: 'dashboard' },
  { path: '/persons', component: () => import('./views/PersonSearch.vue'), permission: 'person.lookup', module: 'home', menu: 'persons' },
  { path: '/livelihood', component: () => import('./views/Livelihood.vue'), permission: 'alerts.read', module: 'livelihood', menu: 'livelihood' },
  { path: '/alerts', component: () => import('./views/Alerts.vue'), permission: 'alerts.read', module: 'alerts', menu: 'alertList' },
  { path: '/models', component: () => import('./views/Models.vue'), permission: 'models.read', module: 'alerts', menu: 'models' },
  { path: '/runs', component: () => import('./views/Runs.vue'), permission: 'models.read', module: 'alerts', menu: 'runs' },
  { path: '/stats', component: () => import('./views/Stats.vue'), permission: 'alerts.read', module: 'alerts', menu: 'stats' },
  { path: '/recommendations', component: () => import('./views/Recommendations.vue'), permission: ['alerts.review', 'alerts.verify'], module: 'alerts', menu: 'recommendations' },
  { path: '/data/types', component: () => import('./views/DataCatalog.vue'), permission: 'data.read', module: 'data', menu: 'catalog' },
  { path: '/data/upload', component: () => import('./views/DataUpload.vue'), permission: 'data.upload', module: 'data', menu: 'upload' },
  { path: '/data/schedules', component: () => import('./views/Schedules.vue'), permission: 'data.read', module: 'data', menu: 'schedules' },
  { path: '/documents', component: () => import('./views/Documents.vue'), permission: ['documents.send', 'documents.receive'], module: 'documents', menu: 'documents' },
  { path: '/opinions', component: () => import('./views/Opinions.vue'), permission: ['opinions.draft', 'opinions.review', 'opinions.approve'], module: 'opinions', menu: 'opinions' },
  { path: '/integrity', component: () => import('./views/IntegrityFile.vue'), permission: 'discipline.read', module: 'opinions', menu: 'integrity' },
  { path: '/system/users', component: () => import('./views/Users.vue'), permission: 'users.manage', module: 'system', menu: 'users' },
  { path: '/system/orgs', component: () => import('./views/Orgs.vue'), permission: 'orgs.manage', module: 'system', menu: 'orgs' },
  { path: '/system/roles', component: () => import('./views/Roles.vue'), permission: 'roles.manage', module: 'system', menu: 'roles' },
  { path: '/system/changes', component: () => import('./views/AccessChanges.vue'), permission: ['roles.manage', 'users.manage'], module: 'system', menu: 'changes' },
  { path: '/system/upload-rights', component: () => import('./views/UploadRights.vue'), permission: 'roles.manage', module: 'system', menu: 'uploadRights' },
  { path: '/system/policy', component: () => import('./views/Policy.vue'), permission: 'policy.manage', module: 'system', menu: 'policy' },
  { path: '/system/sessions', component: () => import('./views/Sessions.vue'), permission: 'sessions.manage', module: 'system', menu: 'sessions' },
  { path: '/system/audit', component: () => import('./views/Audit.vue'), permission: 'audit.read', module: 'system', menu: 'audit' },
  { path: '/system/deadlines', component: () => import('./views/Deadlines.vue'), permission: 'models.manage', module: 'system', menu: 'deadlines' },
  // Open to every account; last, so that no role lands on it first.
  { path: '/notices', component: () => import('./views/Notices.vue'), permission: [], module: 'documents', menu: 'notices' },
  { path: '/chat', component: () => import('./views/Chat.vue'), permission: [], module: 'documents', menu: 'chat' },
] as const

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', component: () => import('./views/Login.vue') },
    {
      path: '/',
      component: () => import('./views/Layout.vue'),
      children: [
        ...pages.map((p) => ({ path: p.path, component: p.component, meta: { permission: p.permission } })),
        { path: '/alerts/:id', component: () => import('./views/AlertDetail.vue'), meta: { permission: 'alerts.read' } },
        { path: '/inbox', component: () => import('./views/Inbox.vue') },
        { path: '/persons/:id', component: () => import('./views/PersonDetail.vue'), meta: { permission: 'person.lookup' } },
        { path: '/documents/:id', component: () => import('./views/DocumentDetail.vue'), meta: { permission: ['documents.send', 'documents.receive'] } },
        { path: '/opinions/:id', component: () => import('./views/OpinionDetail.vue'), meta: { permission: ['opinions.draft', 'opinions.review', 'opinions.approve'] } },
        { path: '/data/browse/:name', component: () => import('./views/DataBrowse.vue'), meta: { permission: 'data.read' } },
        { path: '/models/editor', component: () => import('./views/ModelEditor.vue'), meta: { permission: 'models.manage' } },
      ],
    },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})

router.beforeEach(async (to) => {
  if (to.path === '/login') return true
  if (!session.me && !(await loadMe())) return '/login'
  const me = session.me!
  if (me.must_change_password || me.totp_enrolment_required) return '/login'
  const need = to.meta.permission as string | readonly string[] | undefined
  if (need && !canAny(need)) return firstPage() ?? '/login'
  if (to.path === '/') return firstPage() ?? '/login'
  return true
})

export function firstPage(): string | undefined {
  return pages.find((p) => canAny(p.permission))?.path
}
