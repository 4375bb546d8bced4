import { Component, lazy, StrictMode, Suspense, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes, useLocation } from 'react-router-dom';
import './styles.css';
import { Order, Orders, Me } from './pages/orders';
import { Home, LandingRoute, ShopHomeRoute } from './pages/home';
import { Product, Search } from './pages/shop';
import { Feed, LiveList, LiveRoom, Post } from './pages/social';
import { Team } from './pages/teams';
import { Cart, Checkout } from './pages/cart';
import { ErrorState, Loading, Page, TabBar } from './ui';

// The console is its own chunk: shoppers never download it.
const Console = lazy(() => import('./console/Console'));

class Boundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  render() {
    return this.state.error ? <ErrorState error={`页面出错：${this.state.error.message}`} retry={() => location.reload()} /> : this.props.children;
  }
}

function Shell() {
  const { pathname } = useLocation();
  const console = pathname.startsWith('/console');
  return (
    <div className={console ? 'app wide' : 'app'}>
      <Boundary>
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route path="/" element={<Home />} />
            <Route path="/shop/:id" element={<ShopHomeRoute />} />
            <Route path="/shop/:id/p/:slug" element={<LandingRoute />} />
            <Route path="/search" element={<Search />} />
            <Route path="/product/:id" element={<Product />} />
            <Route path="/team/:id" element={<Team />} />
            <Route path="/feed" element={<Feed />} />
            <Route path="/post/:id" element={<Post />} />
            <Route path="/live" element={<LiveList />} />
            <Route path="/live/:id" element={<LiveRoom />} />
            <Route path="/cart" element={<Cart />} />
            <Route path="/checkout" element={<Checkout />} />
            <Route path="/orders" element={<Orders />} />
            <Route path="/order/:id" element={<Order />} />
            <Route path="/me" element={<Me />} />
            <Route path="/console/*" element={<Console />} />
            <Route path="*" element={<Page title="找不到页面"><ErrorState error="没有这个页面" /></Page>} />
          </Routes>
        </Suspense>
      </Boundary>
      {!console && <TabBar />}
    </div>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter>
      <Shell />
    </BrowserRouter>
  </StrictMode>,
);
