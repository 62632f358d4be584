// The current page's title: a plugin page's manifest title, or a kernel page's message key.
import { computed } from 'vue'
import { useI18n } from 'vue-i18n'
import { useRoute } from 'vue-router'
import { localized } from '@/i18n'

export function usePageTitle() {
  const route = useRoute()
  const { t, locale } = useI18n()
  return computed(() => {
    if (route.meta.titleText) return localized(route.meta.titleText, locale.value)
    return route.meta.title ? t(route.meta.title) : ''
  })
}
