/**
 * @module hooks/use-location
 * A small client-side router over the History API: the current path, and
 * `navigate(path)` that pushes it without reloading the page.
 */
import { createContext, useCallback, useContext, useEffect, useState, type MouseEvent } from 'react';

export interface ConsoleLocation {
  pathname: string;
  navigate(path: string, options?: { replace?: boolean }): void;
}

export const LocationContext = createContext<ConsoleLocation | null>(null);

export function useBrowserLocation(): ConsoleLocation {
  const [pathname, setPathname] = useState(() => window.location.pathname);
  useEffect(() => {
    const onPopState = () => setPathname(window.location.pathname);
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, []);
  const navigate = useCallback((path: string, options: { replace?: boolean } = {}) => {
    if (options.replace === true) window.history.replaceState(null, '', path);
    else window.history.pushState(null, '', path);
    setPathname(new URL(path, window.location.origin).pathname);
  }, []);
  return { pathname, navigate };
}

export function useLocation(): ConsoleLocation {
  const location = useContext(LocationContext);
  if (location === null) throw new Error('useLocation() needs a <LocationContext.Provider> above it.');
  return location;
}

/** An onClick for `<a href>` links inside the console: plain clicks navigate in place. */
export function useLinkClick(): (event: MouseEvent<HTMLAnchorElement>) => void {
  const { navigate } = useLocation();
  return useCallback(
    (event: MouseEvent<HTMLAnchorElement>) => {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      navigate(event.currentTarget.getAttribute('href') ?? '/');
    },
    [navigate],
  );
}
