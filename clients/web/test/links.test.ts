import { describe, expect, it } from 'vitest';
import { h5Link } from '../src/sections/links';

describe('h5Link: a page link as the H5 opens it', () => {
  it('opens a mini-program product list as a search for its category', () => {
    expect(h5Link('/pages/products/index?category=绿茶', 'S1')).toEqual({ to: `/search?q=${encodeURIComponent('绿茶')}` });
  });

  it("opens the mini-program's home as the shop's home", () => {
    expect(h5Link('/pages/home/index', 'U2hvcDox')).toEqual({ to: '/shop/U2hvcDox' });
  });

  it('keeps an https page as an external link', () => {
    expect(h5Link('https://example.com/a', 'S1')).toEqual({ external: 'https://example.com/a' });
  });

  it('drops a mini-program route the H5 has not, and an absent link', () => {
    expect(h5Link('/pages/nowhere/index', 'S1')).toBeNull();
    expect(h5Link(undefined, 'S1')).toBeNull();
  });
});
