import { type ComponentType, lazy, Suspense } from 'react';
import { Loading } from '../ui';

/** A page loaded only when it is first shown, keeping its code (and what it imports) out of the first load. */
export function lazyPage(load: () => Promise<ComponentType>) {
  const Page = lazy(async () => ({ default: await load() }));
  return (
    <Suspense fallback={<Loading what="the page" />}>
      <Page />
    </Suspense>
  );
}
