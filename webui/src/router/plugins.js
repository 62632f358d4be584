// Plugin pages. Every plugins/<id>/web/*.vue in the source tree is bundled at build time (each its
// own chunk, loaded when opened); at run time only the pages of modules the kernel reports as
// running get a route, so an unlicensed or failed module's pages never appear.
import MissingPage from '@/pages/MissingPage.vue'

const bundled = import.meta.glob('../../../plugins/*/web/*.vue')

function loaderFor(plugin, file) {
  return bundled[`../../../plugins/${plugin}/web/${file}`]
}

/** Route records for the pages of running modules, from GET /api/v1/modules. */
export function pluginRoutes(modules) {
  const routes = []
  for (const module of modules) {
    if (module.state !== 'running') continue
    for (const page of module.web?.pages ?? []) {
      const loader = loaderFor(module.id, page.component)
      routes.push({
        path: page.path,
        name: `plugin:${module.id}:${page.path}`,
        // A manifest can name a page the UI was built without (a plugin installed after the
        // build): say so instead of a blank page.
        component: loader ?? MissingPage,
        props: loader ? false : { plugin: module.id, component: page.component },
        meta: { plugin: module.id, titleText: page.title, layout: page.layout || 'console', roles: page.roles ?? null, project: true },
      })
    }
  }
  return routes
}

/** Whether the user may see a plugin page: admins always; else the page's roles, or any project membership when it names none. */
export function pluginPageVisible(meta, session) {
  if (session.isAdmin) return true
  const roles = session.rolesIn()
  if (!meta.roles) return session.projects.length > 0
  return meta.roles.some((role) => roles.includes(role))
}
