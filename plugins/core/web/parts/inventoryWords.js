// Words the inventory sheet and its unit dialog share, and prices as people in a sales office say
// them: 万元 in Chinese, millions in English. useLocale(withInventoryWords({...})).
import { formatNumber } from '@anchang/ui'

const words = {
  'zh-CN': {
    status: { available: '可售', held: '保留', selected: '已选', subscribed: '已认购', signed: '已签约' },
    wan: '{n} 万',
    area: '{n} ㎡',
    unit: '{building} {number}',
  },
  en: {
    status: { available: 'Available', held: 'Held', selected: 'Selected', subscribed: 'Subscribed', signed: 'Signed' },
    wan: '¥{n}M',
    area: '{n} ㎡',
    unit: '{building} {number}',
  },
}

export function withInventoryWords(own) {
  return Object.fromEntries(Object.entries(words).map(([lang, shared]) => [lang, { ...shared, ...own[lang] }]))
}

export const STATUSES = ['available', 'held', 'selected', 'subscribed', 'signed']

/** money(yuan) and unitName(unit) in the language of the component whose { t, lang } they get. */
export function unitFormats({ t, lang }) {
  return {
    money: (yuan) => (lang.value === 'en' ? t('wan', { n: formatNumber(yuan / 1e6, 2) }) : t('wan', { n: formatNumber(yuan / 1e4, 1) })),
    unitName: (u) => t('unit', { building: u.building, number: u.number }),
  }
}
