// The console itself: logging in, what each role sees, and the modules page reporting plugins
// that run and plugins that failed (build/test-plugins has both kinds).
import assert from 'node:assert/strict'
import { BASE, DEMO, PASSWORD, api, keepScreenshot, login, menuItem, scenario, tokenFor } from '../lib/harness.mjs'

scenario('admin logs in and sees the console', async (page) => {
  await login(page, 'admin')
  await page.getByRole('heading', { name: '您好，管理员' }).waitFor()
  for (const path of ['/admin/modules', '/admin/users', '/admin/roles', '/admin/projects', '/admin/bus', '/audit', '/admin/system', '/project/scripts'])
    await menuItem(page, path).waitFor()
  // The project switcher starts on the first project of the seed.
  await page.locator('[data-test=project-switcher]').getByText('测试项目一').waitFor()
})

scenario('a manager sees the project pages but no administration', async (page) => {
  await login(page, 'manager')
  await menuItem(page, '/project/scripts').waitFor()
  await menuItem(page, '/audit').waitFor()
  assert.equal(await menuItem(page, '/admin/users').count(), 0)
  assert.equal(await menuItem(page, '/admin/modules').count(), 0)
  // An administration page opened by its address says it is not allowed instead of failing.
  await page.goto(`${BASE}/admin/users`)
  await page.getByText('没有权限').waitFor()
})

scenario('admin sees good running and crash_start failed with its reason', async (page) => {
  await login(page, 'admin')
  await menuItem(page, '/admin/modules').click()
  const table = page.locator('[data-test=modules-table]')
  const row = (id) => table.locator('tr.el-table__row', { has: page.locator(`[data-module="${id}"]`) })

  await row('good').locator('[data-state=running]').waitFor()
  await row('crash_start').locator('[data-state=failed]').waitFor()
  assert.match(await row('crash_start').locator('[data-test=module-reason]').innerText(), /crashed with SIGSEGV during start/)
  await row('unlicensed').locator('[data-state=unlicensed]').waitFor()
  await row('disabled_one').locator('[data-state=disabled]').waitFor()

  // The licence the run issued: customer e2e, the two licensed modules.
  const licence = page.locator('[data-test=licence-card]')
  await licence.locator('[data-test=licence-state]', { hasText: '有效' }).waitFor()
  await licence.getByText('e2e', { exact: true }).waitFor()

  // The detail drawer lists what the manifest declares.
  await row('rules').getByRole('button', { name: '详情' }).click()
  await page.locator('.el-drawer').getByText('/api/v1/projects/{project}/rules/assign').waitFor()
  await page.locator('.el-drawer').getByText('rules.assign', { exact: true }).waitFor()
})

scenario('admin verifies the audit chain and makes an online backup', async (page) => {
  await login(page, 'admin')
  await menuItem(page, '/audit').click()
  await page.locator('[data-test=audit-table]').waitFor()
  await page.locator('[data-test=audit-verify]').click()
  await page.locator('[data-test=audit-verdict]').getByText('审计链完整').waitFor()

  await menuItem(page, '/admin/system').click()
  // The HTTP workers: how many listen for connections, and how often a spare was called in.
  await page.getByText('其中同时等待连接的线程').waitFor()
  await page.getByText('调用备用线程次数（监听线程全忙时）').waitFor()
  await keepScreenshot(page, 'system page')
  await page.locator('[data-test=backup]').click()
  await page.getByText(/backups\/anchang-\d{8}-\d{6}\.db/).waitFor()
})

scenario('admin sees each module’s scheduled jobs per project and runs one now', async (page) => {
  await login(page, 'admin', PASSWORD, DEMO) // the demo kernel runs registration and its nightly job
  await menuItem(page, '/admin/jobs').click()
  const row = page.locator('[data-test=jobs] tr', { hasText: 'idempotency_prune' }).first()
  await row.waitFor()
  assert.match(await row.innerText(), /每天 03:30/)
  await row.locator('[data-test=run-now]').click()
  // The run is listed with its outcome; the page refreshes itself while it is open.
  await page.locator('[data-test=job-runs] tr', { hasText: 'registration.idempotency_prune' }).getByText('成功').first().waitFor()
  assert.match(await row.innerText(), /成功/)
})

scenario('admin reads what the system told the consultant about a visitor, channel by channel', async (page) => {
  const desk = await tokenFor('receptionist', DEMO)
  const phone = `1370000${String(Date.now()).slice(-4)}`
  const answer = await api('POST', '/api/v1/projects/1/visits', {
    token: desk, base: DEMO, body: { phone, name: '通知测试', questionnaire: { layout: '三室两厅两卫' } },
  })
  assert.equal(answer.status, 201, JSON.stringify(answer.body))
  await login(page, 'admin', PASSWORD, DEMO)
  await menuItem(page, '/admin/notifications').click()
  // The consultant's notice about the visitor; the follow-up module's welcome text to the
  // visitor names them too, and either may be listed first.
  const row = page
    .locator('[data-test=notifications] tr', { hasText: '通知测试' })
    .filter({ hasText: /registration\.visitor_(new|returning|covering)/ })
    .first()
  await row.waitFor()
  assert.match(await row.innerText(), /站内/)
})
