// The roles a user can hold. The kernel names only `admin`; every other role is declared, with its
// name in both languages, by the module that needs it (GET /api/v1/modules, `roles`), so the list
// and the names follow the modules installed.
import { computed } from 'vue'
import { useI18n } from 'vue-i18n'
import { localized } from '@/i18n'
import { useModules } from '@/stores/modules.js'

/**
 * In a component's setup: `roles`, the role names admin first; `roleLabel(name)`, a role as
 * people read it in the current language ("案场经理" / "Sales-site manager"; a role whose
 * module gives no label, or that no running module declares, by its bare name); and
 * `roleLabels(names)`, several joined into one line.
 */
export function useRoles() {
  const modules = useModules()
  const { t, locale } = useI18n()

  // admin is the kernel's own role: the UI names it, with or without the modules' list.
  function roleLabel(name) {
    if (name === 'admin') return t('roles.admin')
    return localized(modules.roles.find((role) => role.name === name)?.label, locale.value) || name
  }

  return {
    roles: computed(() => modules.roles.map((role) => role.name)),
    roleLabel,
    roleLabels: (names) => names.map(roleLabel).join(t('common.listSeparator')),
  }
}
