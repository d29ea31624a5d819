import { useEffect } from 'react'

/** Sets the document title (screen readers announce it with the page's h1). */
export function usePageTitle(title: string) {
  useEffect(() => {
    document.title = `${title} – Banditore`
  }, [title])
}
