// The side menu: the kernel pages this user may open, then the pages of each running module
// (grouped under the module's name), then system administration. Wall-screen pages are left out
// on a phone: they are laid out for a hall's screen and unusable in a hand (their address still
// opens them).
import { computed } from 'vue'
import { useI18n } from 'vue-i18n'
import { localized } from '@/i18n'
import { useSession } from '@/lib/session.js'
import { useViewport } from '@/lib/viewport.js'
import { kernelPages } from '@/navigation.js'
import { pluginPageVisible } from '@/router/plugins.js'
import { isRunning, useModules } from '@/stores/modules.js'

export function useMenu() {
  const session = useSession()
  const modules = useModules()
  const { t, locale } = useI18n()
  const { isPhone } = useViewport()
  const offered = (page) => !(isPhone.value && page.layout === 'screen')

  return computed(() => {
    const lang = locale.value
    const kernelItems = (group) =>
      kernelPages
        .filter((page) => page.group === group && page.visible(session))
        .map((page) => ({ path: page.path, title: t(page.title), icon: page.icon, layout: 'console' }))

    const groups = [{ key: 'main', title: '', items: kernelItems(null) }]
    groups.push({ key: 'project', title: t('nav.groups.project'), items: kernelItems('project') })
    for (const module of modules.modules) {
      if (!isRunning(module)) continue
      const items = (module.web?.pages ?? [])
        .filter((page) => page.menu !== false && offered(page) && pluginPageVisible(page, session))
        .map((page) => ({ path: page.path, title: localized(page.title, lang), icon: page.icon || 'Document', layout: page.layout || 'console' }))
      groups.push({ key: `module:${module.id}`, title: localized(module.name, lang) || module.id, items })
    }
    groups.push({ key: 'system', title: t('nav.groups.system'), items: kernelItems('system') })
    return groups.filter((group) => group.items.length > 0)
  })
}
