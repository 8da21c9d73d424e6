import { createRouter, createWebHistory } from 'vue-router'
import { session, loadMe, canAny } from './api'
import Login from './views/Login.vue'
import Layout from './views/Layout.vue'
import Alerts from './views/Alerts.vue'
import AlertDetail from './views/AlertDetail.vue'
import Models from './views/Models.vue'
import Users from './views/Users.vue'
import Sessions from './views/Sessions.vue'
import Audit from './views/Audit.vue'
import DataCatalog from './views/DataCatalog.vue'
import DataUpload from './views/DataUpload.vue'
import Dashboard from './views/Dashboard.vue'
import Stats from './views/Stats.vue'
import Recommendations from './views/Recommendations.vue'
import Deadlines from './views/Deadlines.vue'
import Inbox from './views/Inbox.vue'
import ModelEditor from './views/ModelEditor.vue'
import Runs from './views/Runs.vue'
import Orgs from './views/Orgs.vue'
import Roles from './views/Roles.vue'
import Policy from './views/Policy.vue'
import DataBrowse from './views/DataBrowse.vue'
import Schedules from './views/Schedules.vue'
import Opinions from './views/Opinions.vue'
import OpinionDetail from './views/OpinionDetail.vue'
import IntegrityFile from './views/IntegrityFile.vue'
import Documents from './views/Documents.vue'
import DocumentDetail from './views/DocumentDetail.vue'
import Notices from './views/Notices.vue'
import Chat from './views/Chat.vue'
import PersonSearch from './views/PersonSearch.vue'
import Livelihood from './views/Livelihood.vue'
import PersonDetail from './views/PersonDetail.vue'
import AccessChanges from './views/AccessChanges.vue'
import UploadRights from './views/UploadRights.vue'

// Each page names the permission it needs; the menu shows only what the role may open.
export const pages = [
  { path: '/dashboard', component: Dashboard, permission: 'alerts.read', module: 'home', menu: 'dashboard' },
  { path: '/persons', component: PersonSearch, permission: 'person.lookup', module: 'home', menu: 'persons' },
  { path: '/livelihood', component: Livelihood, permission: 'alerts.read', module: 'livelihood', menu: 'livelihood' },
  { path: '/alerts', component: Alerts, permission: 'alerts.read', module: 'alerts', menu: 'alertList' },
  { path: '/models', component: Models, permission: 'models.read', module: 'alerts', menu: 'models' },
  { path: '/runs', component: Runs, permission: 'models.read', module: 'alerts', menu: 'runs' },
  { path: '/stats', component: Stats, permission: 'alerts.read', module: 'alerts', menu: 'stats' },
  { path: '/recommendations', component: Recommendations, permission: ['alerts.review', 'alerts.verify'], module: 'alerts', menu: 'recommendations' },
  { path: '/data/types', component: DataCatalog, permission: 'data.read', module: 'data', menu: 'catalog' },
  { path: '/data/upload', component: DataUpload, permission: 'data.upload', module: 'data', menu: 'upload' },
  { path: '/data/schedules', component: Schedules, permission: 'data.read', module: 'data', menu: 'schedules' },
  { path: '/documents', component: Documents, permission: ['documents.send', 'documents.receive'], module: 'documents', menu: 'documents' },
  { path: '/opinions', component: Opinions, permission: ['opinions.draft', 'opinions.review', 'opinions.approve'], module: 'opinions', menu: 'opinions' },
  { path: '/integrity', component: IntegrityFile, permission: 'discipline.read', module: 'opinions', menu: 'integrity' },
  { path: '/system/users', component: Users, permission: 'users.manage', module: 'system', menu: 'users' },
  { path: '/system/orgs', component: Orgs, permission: 'orgs.manage', module: 'system', menu: 'orgs' },
  { path: '/system/roles', component: Roles, permission: 'roles.manage', module: 'system', menu: 'roles' },
  { path: '/system/changes', component: AccessChanges, permission: ['roles.manage', 'users.manage'], module: 'system', menu: 'changes' },
  { path: '/system/upload-rights', component: UploadRights, permission: 'roles.manage', module: 'system', menu: 'uploadRights' },
  { path: '/system/policy', component: Policy, permission: 'policy.manage', module: 'system', menu: 'policy' },
  { path: '/system/sessions', component: Sessions, permission: 'sessions.manage', module: 'system', menu: 'sessions' },
  { path: '/system/audit', component: Audit, permission: 'audit.read', module: 'system', menu: 'audit' },
  { path: '/system/deadlines', component: Deadlines, permission: 'models.manage', module: 'system', menu: 'deadlines' },
  // Open to every account; last, so that no role lands on it first.
  { path: '/notices', component: Notices, permission: [], module: 'documents', menu: 'notices' },
  { path: '/chat', component: Chat, permission: [], module: 'documents', menu: 'chat' },
] as const

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', component: Login },
    {
      path: '/',
      component: Layout,
      children: [
        ...pages.map((p) => ({ path: p.path, component: p.component, meta: { permission: p.permission } })),
        { path: '/alerts/:id', component: AlertDetail, meta: { permission: 'alerts.read' } },
        { path: '/inbox', component: Inbox },
        { path: '/persons/:id', component: PersonDetail, meta: { permission: 'person.lookup' } },
        { path: '/documents/:id', component: DocumentDetail, meta: { permission: ['documents.send', 'documents.receive'] } },
        { path: '/opinions/:id', component: OpinionDetail, meta: { permission: ['opinions.draft', 'opinions.review', 'opinions.approve'] } },
        { path: '/data/browse/:name', component: DataBrowse, meta: { permission: 'data.read' } },
        { path: '/models/editor', component: ModelEditor, meta: { permission: 'models.manage' } },
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
