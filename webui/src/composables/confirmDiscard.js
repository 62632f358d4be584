// Asking before unsaved edits are thrown away (another script version opened, another form
// chosen): the same box, title and buttons wherever the UI edits something it saves apart.
import { ElMessageBox } from 'element-plus'
import { useI18n } from 'vue-i18n'

/**
 * In a component's setup. `dirty` is a ref (or computed) that is true while there are unsaved
 * edits, `message()` the question to ask, in the page's words. Returns `confirmDiscard()`, which
 * resolves to true when there is nothing to lose or the user chose to discard.
 */
export function useConfirmDiscard(dirty, message) {
  const { t } = useI18n()
  return async function confirmDiscard() {
    if (!dirty.value) return true
    return ElMessageBox.confirm(message(), t('scripts.unsaved'), {
      type: 'warning',
      confirmButtonText: t('scripts.discard'),
      cancelButtonText: t('common.cancel'),
    }).then(
      () => true,
      () => false,
    )
  }
}
