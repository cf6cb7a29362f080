import { useLocation } from 'react-router';
import { Notice } from '../ui';

/** A one-off message handed over by the page that navigated here (`navigate(to, {state: {flash}})`). */
export function Flash() {
  const { state } = useLocation();
  const flash = (state as { flash?: string } | null)?.flash;
  return flash ? <Notice>{flash}</Notice> : null;
}
