// Plugin pages. Every plugin's web components are bundled at build time (bundled.js); at run time
// only the pages of modules the kernel reports as running get a route, so an unlicensed or failed
// module's pages never appear.
import { bundledComponent } from '@/bundled.js'
import MissingPage from '@/pages/MissingPage.vue'
import { isRunning } from '@/stores/modules.js'

/** Route records for the pages of running modules, from GET /api/v1/modules. */
export function pluginRoutes(modules) {
  const routes = []
  for (const module of modules) {
    if (!isRunning(module)) continue
    for (const page of module.web?.pages ?? []) {
      const loader = bundledComponent(module.id, page.component)
      routes.push({
        path: page.path,
        name: `plugin:${module.id}:${page.path}`,
        // A manifest can name a page the UI was built without (a plugin installed after the
        // build): say so instead of a blank page.
        component: loader ?? MissingPage,
        props: loader ? false : { plugin: module.id, component: page.component },
        meta: { plugin: module.id, titleText: page.title, layout: page.layout || 'console', permission: page.permission, project: true },
      })
    }
  }
  return routes
}

/**
 * Whether the user may see a plugin page (a manifest's page, or its route's meta: both carry
 * `permission`): admins always; "authenticated" pages every member of some project; else who may
 * use the permission in the current project, as the API would allow.
 */
export function pluginPageVisible({ permission }, session) {
  if (session.isAdmin) return true
  if (permission === 'authenticated') return session.projects.length > 0
  return session.can(permission)
}
