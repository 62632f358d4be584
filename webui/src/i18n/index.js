// The UI's two languages. zh-CN is the default; the choice is remembered in this browser and sent
// with every API call, so the kernel's own messages come back in the same language.
import { createI18n } from 'vue-i18n'
import en from './en.js'
import zhCN from './zh-CN.js'

const LANG_KEY = 'anchang.lang'

export const LANGUAGES = [
  { code: 'zh-CN', label: '中文' },
  { code: 'en', label: 'English' },
]

function remembered() {
  const saved = localStorage.getItem(LANG_KEY)
  return LANGUAGES.some((l) => l.code === saved) ? saved : 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: remembered(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

document.documentElement.lang = i18n.global.locale.value

export function currentLang() {
  return i18n.global.locale.value
}

export function setLang(code) {
  i18n.global.locale.value = code
  localStorage.setItem(LANG_KEY, code)
  document.documentElement.lang = code
}

/**
 * Picks the current language from a kernel text such as a module name or a hook description,
 * `{"zh-CN": "...", "en": "..."}`: the other language, then any, when it is missing.
 */
export function localized(text, lang = currentLang()) {
  if (text === null || text === undefined) return ''
  if (typeof text !== 'object') return String(text)
  return text[lang] ?? text['zh-CN'] ?? text.en ?? Object.values(text)[0] ?? ''
}
