// A page's links are mini-program routes (/pages/...) or https pages: the H5 route each one opens here.
const ROUTES: Record<string, (q: URLSearchParams, shopId: string) => string> = {
  '/pages/home/index': (_, shop) => `/shop/${encodeURIComponent(shop)}`,
  '/pages/products/index': (q) => `/search?q=${encodeURIComponent(q.get('category') ?? q.get('q') ?? '')}`,
  '/pages/category/index': (q) => `/search?q=${encodeURIComponent(q.get('category') ?? '')}`,
  '/pages/product/index': (q) => `/product/${encodeURIComponent(q.get('id') ?? '')}`,
  '/pages/cart/index': () => '/cart',
  '/pages/orders/index': () => '/orders',
  '/pages/user/index': () => '/me',
  '/pages/live/index': (q) => (q.get('id') ? `/live/${encodeURIComponent(q.get('id')!)}` : '/live'),
  '/pages/feed/index': () => '/feed',
};

/** The in-app path a page link opens, `{external}` for an https page, or null for a route the H5 has not. */
export function h5Link(link: string | undefined, shopId: string): { to: string } | { external: string } | null {
  if (!link) return null;
  if (link.startsWith('https://')) return { external: link };
  const [path, query = ''] = link.split('?', 2);
  const route = ROUTES[path];
  if (route) return { to: route(new URLSearchParams(query), shopId) };
  return path.startsWith('/pages/') ? null : { to: link };
}
