// Project rules in JavaScript, through the hook editor: a manager writes, dry-runs and activates a
// script on the `rules` fixture's rules.assign, and a script that keeps failing is switched off,
// shown as such with its reason, and raises an alert. The kernel runs with scripts.maxFailures=3.
import assert from 'node:assert/strict'
import { api, login, menuItem, scenario, tokenFor } from '../lib/harness.mjs'

const BUSY_AWARE = `// Fewest open tasks among the consultants on duty.
function (input, context) {
  var onDuty = input.candidates.filter(function (c) { return c.on_duty; });
  onDuty.sort(function (a, b) { return a.open_tasks - b.open_tasks; });
  console.log('on duty: ' + onDuty.length);
  if (onDuty.length === 0) return null;
  return { consultant_id: onDuty[0].id, reason: 'fewest open tasks' };
}
`

async function confirmDialog(page, comment) {
  const box = page.locator('.el-message-box')
  await box.waitFor()
  if (comment !== undefined) await box.locator('input').fill(comment)
  await box.locator('.el-message-box__btns .el-button--primary').click()
  await box.waitFor({ state: 'hidden' })
}

scenario('a manager writes, dry-runs and activates a script on rules.assign', async (page) => {
  await login(page, 'manager')
  await menuItem(page, '/project/scripts').click()
  await page.locator('[data-hook="rules.assign"]').click()
  await page.locator('[data-test=script-new]').click()

  // A new script starts from the hook's built-in rule.
  const editor = page.locator('[data-test=script-source] .cm-content')
  await editor.getByText('The built-in rule, as a script to start from').waitFor()
  await page.locator('input[data-test=script-name]').fill('最少任务优先')
  await editor.click()
  await page.keyboard.press('Control+A')
  await page.keyboard.insertText(BUSY_AWARE)
  await editor.getByText('Fewest open tasks among the consultants on duty.').waitFor()

  // Dry run on the hook's sample: 张伟 (id 3) has 7 open tasks, 李娜 (id 4) has 2.
  await page.locator('[data-test=dry-run-submit]').click()
  const result = page.locator('[data-test=dry-run-result]')
  await result.waitFor()
  assert.equal(await result.locator('[data-test=dry-run-outcome]').innerText(), '成功')
  assert.match(await result.locator('[data-test=dry-run-output]').innerText(), /"consultant_id": 4/)
  assert.match(await result.locator('[data-test=dry-run-logs]').innerText(), /on duty: 2/)
  assert.match(await result.locator('[data-test=dry-run-time]').innerText(), /耗时 \d+\.\d\d ms/)
  assert.match(await result.locator('[data-test=dry-run-memory]').innerText(), /内存 [\d.]+ (B|KB|MB)/)

  // Save (version 1, not active yet), then activate it.
  await page.locator('[data-test=script-create-save]').click()
  await confirmDialog(page, '跳过忙碌顾问')
  await page.waitForURL(/script=\d+/)
  const state = page.locator('[data-test=script-editor] [data-test=script-state]')
  await state.getByText('未启用').waitFor()
  await page.locator('[data-test=script-activate]').click()
  await confirmDialog(page)
  await state.getByText('生效版本 v1').waitFor()

  // The module now follows the script.
  const token = await tokenFor('manager')
  const answer = await api('POST', '/api/v1/projects/1/rules/assign', {
    token,
    body: { candidates: [{ id: 3, open_tasks: 7, on_duty: true }, { id: 4, open_tasks: 2, on_duty: true }] },
  })
  assert.deepEqual([answer.body.by, answer.body.consultant_id], ['script', 4])
})

scenario('a script that keeps failing is switched off, shown with its reason, and raises an alert', async (page) => {
  const token = await tokenFor('manager')
  const created = await api('POST', '/api/v1/projects/1/scripts', {
    token,
    body: { hook: 'rules.assign', name: '总是出错', position: 1, source: "function (input) { throw new Error('no roster today'); }" },
  })
  assert.equal(created.status, 201, JSON.stringify(created.body))
  const id = created.body.id
  assert.equal((await api('POST', `/api/v1/projects/1/scripts/${id}/activate`, { token, body: { version: 1 } })).status, 200)

  // Three calls, three failures: the module falls back to its built-in rule each time.
  for (let i = 0; i < 3; i += 1) {
    const answer = await api('POST', '/api/v1/projects/1/rules/assign', { token, body: { candidates: [{ id: 3 }] } })
    assert.equal(answer.body.by, 'built-in')
  }

  await login(page, 'manager')
  await page.locator('[data-test=alerts-bell] .el-badge__content', { hasText: /^[1-9]/ }).waitFor()
  await menuItem(page, '/project/scripts').click()
  await page.locator('[data-hook="rules.assign"]').click()
  const reason = page.locator('[data-test=script-off-reason][data-script="总是出错"]')
  await reason.getByText('已被系统停用').waitFor()
  assert.match(await reason.innerText(), /switched off after 3 failures in a row; last: Error: no roster today/)

  await reason.click()
  await page.locator('[data-test=script-switched-off]').getByText('此脚本连续出错，已被系统自动停用').waitFor()

  await page.locator('[data-test=alerts-bell]').click()
  await page.locator('[data-test=alert-message]', { hasText: '脚本“总是出错”（rules.assign）连续失败 3 次，已停用' }).waitFor()
})
