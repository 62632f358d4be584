// The kernel's own pages: where they live, how they appear in the menu and who may open them.
// Visibility follows the permissions the kernel sends with the user (session.can), so nobody is
// shown a page that would only answer 403. Plugin pages join these at run time (router/plugins.js).
import { Bell, Box, ChatDotRound, Connection, EditPen, HomeFilled, Lock, Monitor, OfficeBuilding, Stamp, Tickets, Timer, User, UserFilled } from '@element-plus/icons-vue'

/** A page of system administration: in the menu's last group, for admins only. */
const admin = (page) => ({ ...page, group: 'system', visible: (s) => s.isAdmin })

export const kernelPages = [
  {
    path: '/', name: 'home', icon: HomeFilled, title: 'nav.home', group: null,
    component: () => import('@/pages/HomePage.vue'),
    visible: () => true,
  },
  {
    path: '/project/scripts', name: 'scripts', icon: EditPen, title: 'nav.scripts', group: 'project', project: true,
    component: () => import('@/pages/project/ScriptsPage.vue'),
    visible: (s) => s.can('kernel.scripts.read'),
  },
  {
    path: '/project/forms', name: 'forms', icon: Tickets, title: 'nav.forms', group: 'project', project: true,
    component: () => import('@/pages/project/FormsPage.vue'),
    visible: (s) => s.can('kernel.forms.write'),
  },
  {
    path: '/project/members', name: 'members', icon: UserFilled, title: 'nav.members', group: 'project', project: true,
    component: () => import('@/pages/project/MembersPage.vue'),
    visible: (s) => s.can('kernel.members.read'),
  },
  {
    path: '/alerts', name: 'alerts', icon: Bell, title: 'nav.alerts', group: 'project', project: true,
    component: () => import('@/pages/AlertsPage.vue'),
    visible: (s) => s.can('kernel.alerts.read'),
  },
  {
    path: '/audit', name: 'audit', icon: Stamp, title: 'nav.audit', group: 'project', project: true,
    component: () => import('@/pages/AuditPage.vue'),
    visible: (s) => s.can('kernel.audit.read') || s.can('kernel.audit.verify', null),
  },
  admin({
    path: '/admin/modules', name: 'modules', icon: Box, title: 'nav.modules',
    component: () => import('@/pages/admin/ModulesPage.vue'),
  }),
  admin({
    path: '/admin/users', name: 'users', icon: User, title: 'nav.users',
    component: () => import('@/pages/admin/UsersPage.vue'),
  }),
  admin({
    path: '/admin/roles', name: 'roles', icon: Lock, title: 'nav.roles',
    component: () => import('@/pages/admin/RolesPage.vue'),
  }),
  admin({
    path: '/admin/projects', name: 'projects', icon: OfficeBuilding, title: 'nav.projects',
    component: () => import('@/pages/admin/ProjectsPage.vue'),
  }),
  admin({
    path: '/admin/bus', name: 'bus', icon: Connection, title: 'nav.bus',
    component: () => import('@/pages/admin/BusMonitorPage.vue'),
  }),
  admin({
    path: '/admin/jobs', name: 'jobs', icon: Timer, title: 'nav.jobs',
    component: () => import('@/pages/admin/JobsPage.vue'),
  }),
  admin({
    path: '/admin/notifications', name: 'notifications', icon: ChatDotRound, title: 'nav.notifications',
    component: () => import('@/pages/admin/NotificationsPage.vue'),
  }),
  admin({
    path: '/admin/system', name: 'system', icon: Monitor, title: 'nav.system',
    component: () => import('@/pages/admin/SystemPage.vue'),
  }),
]
