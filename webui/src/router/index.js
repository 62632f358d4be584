import { createRouter, createWebHistory } from 'vue-router'
import { onUnauthorized } from '@/lib/api.js'
import { useSession } from '@/lib/session.js'
import { kernelPages } from '@/navigation.js'
import { useModules } from '@/stores/modules.js'
import { pluginPageVisible, pluginRoutes } from './plugins.js'

const routes = [
  { path: '/login', name: 'login', component: () => import('@/pages/LoginPage.vue'), meta: { public: true, layout: 'blank' } },
  { path: '/sign-in', name: 'code-sign-in', component: () => import('@/pages/CodeSignInPage.vue'), meta: { public: true, layout: 'blank' } },
  ...kernelPages.map((page) => ({
    path: page.path,
    name: page.name,
    component: page.component,
    meta: { title: page.title, project: Boolean(page.project), visible: page.visible, layout: 'console' },
  })),
  { path: '/forbidden', name: 'forbidden', component: () => import('@/pages/ForbiddenPage.vue'), meta: { layout: 'console' } },
  { path: '/:rest(.*)*', name: 'not-found', component: () => import('@/pages/NotFoundPage.vue'), meta: { layout: 'console' } },
]

export const router = createRouter({ history: createWebHistory(), routes })

/** Whether the user may open the route: kernel pages carry their rule, plugin pages their permission. */
function routeVisible(route, session) {
  if (route.meta.plugin) return pluginPageVisible(route.meta, session)
  return route.meta.visible ? route.meta.visible(session) : true
}

router.beforeEach(async (to) => {
  const session = useSession()
  if (to.meta.public) return true
  if (!session.token) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  if (!session.user) {
    try {
      await session.refresh()
    } catch {
      // A dead token was already cleared by the 401 handler. If the kernel is unreachable, the
      // login page is where trying again tells the user so, rather than a half-drawn console.
      return { name: 'login', query: { redirect: to.fullPath } }
    }
  }
  const modules = useModules()
  if (!modules.loaded) {
    await modules.load()
    // Modules change only when anchangd restarts; reloading the page picks that up.
    for (const route of pluginRoutes(modules.modules)) router.addRoute(route)
    // The first navigation matched before plugin routes existed: match it again, with its query
    // (a location's `path` drops a query written into it: a join link's ?join= was lost so).
    if (to.name === 'not-found') return { path: to.path, query: to.query, hash: to.hash, replace: true }
  }
  if (!routeVisible(to, session)) return { name: 'forbidden', query: { from: to.fullPath } }
  return true
})

onUnauthorized(() => {
  const session = useSession()
  session.clear()
  const current = router.currentRoute.value
  if (!current.meta.public) router.replace({ name: 'login', query: { redirect: current.fullPath, expired: '1' } })
})
