// Where a new script starts when its hook point ships no built-in rule to copy. Kept out of the
// message files: vue-i18n would read the braces as placeholders.
const HINTS = {
  'zh-CN': [
    '// input：模块交给脚本的数据；context：project_id、hook、script、previous（前一个脚本的结果）',
    '// 返回 null 表示不表态，由系统按内置规则处理；anchang.veto(\'原因\') 可拒绝本次操作。',
  ],
  en: [
    '// input: what the module passes; context: project_id, hook, script, previous (the answer before this one)',
    "// Return null for no opinion (the built-in rule applies); anchang.veto('reason') refuses the operation.",
  ],
}

export function skeleton(lang) {
  return [...(HINTS[lang] ?? HINTS['zh-CN']), 'function (input, context) {', '  return null;', '}', ''].join('\n')
}
