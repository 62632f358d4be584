// Printing one sheet from a console page (a receipt, a record, the notary's result): while the
// page is open the body carries `printing-sheet`, and the console layout's print rules leave out
// its menu, header, messages and whatever the page marks data-print="hide", and let the frame
// grow to the sheet's length (one screen high, it would cut the sheet at the first page). The
// page styles only its own sheet for paper.
import { onBeforeUnmount, onMounted } from 'vue'

export const PRINTING_SHEET = 'printing-sheet'

/** Marks the page as one that prints a sheet; returns print(). */
export function usePrintSheet() {
  onMounted(() => document.body.classList.add(PRINTING_SHEET))
  onBeforeUnmount(() => document.body.classList.remove(PRINTING_SHEET))
  return { print: () => window.print() }
}
