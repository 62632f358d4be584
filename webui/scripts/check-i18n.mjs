// Fails the build when the two languages disagree: a key in one message file but not the other,
// or a t('key') in the source that neither file has. Plugin pages (plugins/*/web) are held to the
// same: each of their {'zh-CN': {...}, en: {...}} message blocks has the same keys in both
// languages, and every t('key') they use is in a block of the file, of a .js file it imports, or
// in the UI's messages. Keys built at run time (t(`roles.${r}`)) cannot be checked here; their
// families are kept complete by hand.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
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

// A plugin's message blocks: the object literal around each 'zh-CN': key. One that is not plain
// data (a function merging blocks) is not a block; the keys it would bring are reported missing
// where they are used.
function messageBlocks(text) {
  const blocks = []
  for (const match of text.matchAll(/'zh-CN':\s*\{/g)) {
    const start = text.lastIndexOf('{', match.index)
    let depth = 0
    let end = start
    for (; end < text.length; end++) {
      if (text[end] === '{') depth++
      else if (text[end] === '}' && --depth === 0) break
    }
    try {
      blocks.push(new Function(`return (${text.slice(start, end + 1)})`)())
    } catch {
      // not data
    }
  }
  return blocks
}

const pluginsDir = join(root, '..', 'plugins')
const pluginFiles = existsSync(pluginsDir)
  ? readdirSync(pluginsDir)
      .map((id) => join(pluginsDir, id, 'web'))
      .filter((dir) => existsSync(dir))
      .flatMap(files)
  : []
let pluginKeys = 0
for (const file of pluginFiles) {
  const text = readFileSync(file, 'utf8')
  const own = messageBlocks(text)
  for (const block of own) {
    const zh = leaves(block['zh-CN'] ?? {})
    const en = leaves(block.en ?? {})
    pluginKeys += zh.size
    for (const key of zh) if (!en.has(key)) problems.push(`${key}: in zh-CN of ${relative(root, file)}, missing from en`)
    for (const key of en) if (!zh.has(key)) problems.push(`${key}: in en of ${relative(root, file)}, missing from zh-CN`)
  }
  const imported = [...text.matchAll(/from '(\.[^']+\.js)'/g)].map((m) => resolve(dirname(file), m[1]))
  const known = new Set(keys['zh-CN'])
  for (const block of [...own, ...imported.flatMap((f) => messageBlocks(readFileSync(f, 'utf8')))])
    for (const key of leaves(block['zh-CN'] ?? {})) known.add(key)
  for (const match of text.matchAll(used)) {
    const key = match[1] ?? match[2]
    if (!known.has(key)) problems.push(`${key}: used in ${relative(root, file)}, missing from its messages and the UI's`)
  }
}

if (problems.length) {
  console.error(`i18n: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`)
  process.exit(1)
}
console.log(`i18n: ${keys['zh-CN'].size} keys and ${pluginKeys} in ${pluginFiles.length} plugin files, zh-CN and en agree`)
