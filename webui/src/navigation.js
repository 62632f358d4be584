// The kernel's own pages: where they live, how they appear in the menu and who may open them.
// Visibility follows the permissions the kernel sends with the user (session.can), so nobody is
// shown a page that would only answer 403. Plugin pages join these at run time (router/plugins.js).
import { Bell, Box, Connection, EditPen, HomeFilled, Lock, Monitor, OfficeBuilding, Stamp, Tickets, User, UserFilled } from '@element-plus/icons-vue'

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
    visible: (s) => s.isAdmin || s.can('kernel.alerts.read'),
  },
  {
    path: '/audit', name: 'audit', icon: Stamp, title: 'nav.audit', group: 'project', project: true,
    component: () => import('@/pages/AuditPage.vue'),
    visible: (s) => s.isAdmin || s.can('kernel.audit.read') || s.can('kernel.audit.verify', null),
  },
  {
    path: '/admin/modules', name: 'modules', icon: Box, title: 'nav.modules', group: 'system',
    component: () => import('@/pages/admin/ModulesPage.vue'),
    visible: (s) => s.isAdmin,
  },
  {
    path: '/admin/users', name: 'users', icon: User, title: 'nav.users', group: 'system',
    component: () => import('@/pages/admin/UsersPage.vue'),
    visible: (s) => s.isAdmin,
  },
  {
    path: '/admin/roles', name: 'roles', icon: Lock, title: 'nav.roles', group: 'system',
    component: () => import('@/pages/admin/RolesPage.vue'),
    visible: (s) => s.isAdmin,
  },
  {
    path: '/admin/projects', name: 'projects', icon: OfficeBuilding, title: 'nav.projects', group: 'system',
    component: () => import('@/pages/admin/ProjectsPage.vue'),
    visible: (s) => s.isAdmin,
  },
  {
    path: '/admin/bus', name: 'bus', icon: Connection, title: 'nav.bus', group: 'system',
    component: () => import('@/pages/admin/BusMonitorPage.vue'),
    visible: (s) => s.isAdmin,
  },
  {
    path: '/admin/system', name: 'system', icon: Monitor, title: 'nav.system', group: 'system',
    component: () => import('@/pages/admin/SystemPage.vue'),
    visible: (s) => s.isAdmin,
  },
]
