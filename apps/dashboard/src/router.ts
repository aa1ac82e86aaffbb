/** A page: renders into `root` from the route's parameters; `keep` survives refreshes of the same page (graph, layout). */
export type View = (
  root: HTMLElement,
  params: string[],
  keep: Record<string, unknown>,
) => Promise<void>;

export interface Route {
  pattern: RegExp;
  view: View;
  nav: string;
}

export function match(
  routes: readonly Route[],
  hash: string,
): { route: Route; params: string[] } | null {
  const path = hash.replace(/^#/, '') || '/';
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (m)
      return {
        route,
        params: m
          .slice(1)
          .filter((p) => p !== undefined)
          .map(decodeURIComponent),
      };
  }
  return null;
}
