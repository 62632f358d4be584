// Excel in and out, as the manager does it: the price list is chosen in the import dialog, the
// preview names the row that cannot be taken and keeps "import" disabled, a corrected file
// imports, and the export downloads a workbook. Runs on the demo kernel (real core).
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEMO, PASSWORD, login, menuItem, scenario } from '../lib/harness.mjs'

function csv(name, lines) {
  const file = join(tmpdir(), `${process.pid}-${name}`)
  writeFileSync(file, lines.join('\r\n') + '\r\n')
  return file
}

scenario('the manager imports a price list after its preview, and exports it', async (page) => {
  await login(page, 'manager', PASSWORD, DEMO)
  await menuItem(page, '/core/inventory').click()
  await page.locator('[data-test=inventory-import]').click()
  const dialog = page.locator('[data-test=import-dialog]')

  const flawed = csv('flawed.csv', ['楼栋,楼层,房号,户型,建筑面积,总价', '8号楼,2,201,两室两厅一卫,78.6,245.6万', '8号楼,2,202,两室两厅一卫,78.6,很贵'])
  await dialog.locator('[data-test=import-file]').setInputFiles(flawed)
  await dialog.locator('[data-test=import-errors]').getByText('总价应为正数').waitFor()
  assert.ok(await dialog.locator('[data-test=import-commit]').isDisabled(), 'nothing is written while a row has a problem')
  await page.screenshot({ path: join(process.env.ANCHANG_E2E_ARTIFACTS ?? tmpdir(), 'excel-import-errors.png') })

  const fixed = csv('fixed.csv', ['楼栋,楼层,房号,户型,建筑面积,总价', '8号楼,2,201,两室两厅一卫,78.6,245.6万', '8号楼,2,202,两室两厅一卫,78.6,2460000'])
  await dialog.locator('[data-test=import-file]').setInputFiles(fixed)
  await dialog.locator('[data-test=import-summary]').getByText('新增 2 套').waitFor()
  await dialog.locator('[data-test=import-commit]').click()
  await page.getByText('价目表已导入：新增 2 套').waitFor()
  await page.locator('[data-test=inventory-buildings]').getByText('8号楼').waitFor()

  const download = page.waitForEvent('download')
  await page.locator('[data-test=inventory-export]').click()
  assert.equal((await download).suggestedFilename(), '一房一价.xlsx')
})

scenario('a consultant sees neither import nor export', async (page) => {
  await login(page, 'consultant1', PASSWORD, DEMO)
  await menuItem(page, '/core/inventory').click()
  await page.locator('[data-test=inventory-refresh]').waitFor()
  assert.equal(await page.locator('[data-test=inventory-import]').count(), 0)
  assert.equal(await page.locator('[data-test=inventory-export]').count(), 0)
})
