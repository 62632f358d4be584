// The UI language for plugin pages: t() over the UI's messages (and the page's own, when given),
// the current language, and localized() for the kernel's {"zh-CN","en"} texts.
import { useI18n } from 'vue-i18n'
import { LANGUAGES, localized, setLang } from '@/i18n'

/**
 * Inside a component's setup. `messages` ({'zh-CN': {...}, en: {...}}) are the page's own
 * strings, looked up before the UI's.
 */
export function useLocale(messages) {
  // Keys the page does not define fall back to the UI's messages on purpose: no warning for that.
  const composer = messages
    ? useI18n({ useScope: 'local', messages, inheritLocale: true, missingWarn: false, fallbackWarn: false })
    : useI18n()
  return {
    t: composer.t,
    lang: composer.locale,
    languages: LANGUAGES,
    setLang,
    localized: (text) => localized(text, composer.locale.value),
  }
}
