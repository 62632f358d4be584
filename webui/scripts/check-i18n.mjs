// Fails the build when the two languages disagree: a key in one message file but not the other,
// or a t('key') in the source that neither file has. Keys built at run time (t(`roles.${r}`))
// cannot be checked here; their families are kept complete by hand.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const languages = { 'zh-CN': (await import('../src/i18n/zh-CN.js')).default, en: (await import('../src/i18n/en.js')).default }

function leaves(messages, prefix = '', out = new Set()) {
  for (const [key, value] of Object.entries(messages)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (value && typeof value === 'object') leaves(value, path, out)
    else out.add(path)
  }
  return out
}

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return files(path)
    return /\.(vue|js)$/.test(name) ? [path] : []
  })
}

const problems = []
const keys = Object.fromEntries(Object.entries(languages).map(([lang, messages]) => [lang, leaves(messages)]))
for (const [lang, own] of Object.entries(keys))
  for (const [other, theirs] of Object.entries(keys))
    if (lang !== other) for (const key of own) if (!theirs.has(key)) problems.push(`${key}: in ${lang}.js, missing from ${other}.js`)

// t('a.b'), $t('a.b'), te('a.b') and the menu's title: 'nav.x'.
const used = /(?:^|[^\w.$])\$?te?\(\s*'([a-zA-Z][\w.]*)'|\btitle: '([a-z]+\.[\w.]+)'/g
for (const file of files(join(root, 'src'))) {
  if (file.includes(`${join('src', 'i18n')}`)) continue
  for (const match of readFileSync(file, 'utf8').matchAll(used)) {
    const key = match[1] ?? match[2]
    if (!keys['zh-CN'].has(key)) problems.push(`${key}: used in ${relative(root, file)}, missing from the message files`)
  }
}

if (problems.length) {
  console.error(`i18n: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`)
  process.exit(1)
}
console.log(`i18n: ${keys['zh-CN'].size} keys, zh-CN and en agree`)
