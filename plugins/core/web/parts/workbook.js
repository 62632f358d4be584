// 导出 Excel, shared by the inventory and customer pages: core writes the workbook into the media
// store, and the browser downloads it from there (with the token, which a plain link lacks).
import { ref } from 'vue'
import { api, notifyError } from '@anchang/ui'

/** `what`: units or customers. Returns {exporting, exportWorkbook} for the page's button. */
export function useWorkbookExport(what) {
  const exporting = ref(false)
  async function exportWorkbook() {
    exporting.value = true
    try {
      const file = await api.post(`/api/v1/projects/{project}/${what}/export`)
      await api.download(`/api/v1/projects/{project}/media/${file.id}`, { filename: file.name })
    } catch (e) {
      notifyError(e)
    } finally {
      exporting.value = false
    }
  }
  return { exporting, exportWorkbook }
}
